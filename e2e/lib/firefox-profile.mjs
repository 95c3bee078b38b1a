// Firefox profile preparation: trust the throwaway test CA through the profile's own NSS database
// (certutil), so pages load as real HTTPS with no certificate exception.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

export function importCA(profileDir, caPath) {
  if (!existsSync('/usr/bin/certutil')) throw new Error('certutil not found: apt-get install libnss3-tools');
  mkdirSync(profileDir, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${profileDir}`, '--empty-password'], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('certutil', ['-A', '-d', `sql:${profileDir}`, '-n', 'tokenbridge-e2e-ca', '-t', 'C,,', '-i', caPath], { stdio: ['ignore', 'ignore', 'pipe'] });
}
