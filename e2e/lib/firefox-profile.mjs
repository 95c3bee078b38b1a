// Firefox profile preparation: trust the throwaway test CA through the profile's own NSS database
// (certutil), so pages load as real HTTPS with no certificate exception.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

// The extension's moz-extension:// host is a random UUID per profile; the prepared profile pins it for our gecko ID
// (pref `extensions.webextensions.uuids`, read when the add-on is installed), so the harness can open its pages.
export const GECKO_ID = 'tokenbridge@tokenbridge.dev';
export const FIREFOX_UUID = 'e2e0c0de-0000-4000-8000-000000000001';
export const UUID_PREFS = { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }) };

export function importCA(profileDir, caPath) {
  if (!existsSync('/usr/bin/certutil')) throw new Error('certutil not found: apt-get install libnss3-tools');
  mkdirSync(profileDir, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${profileDir}`, '--empty-password'], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('certutil', ['-A', '-d', `sql:${profileDir}`, '-n', 'tokenbridge-e2e-ca', '-t', 'C,,', '-i', caPath], { stdio: ['ignore', 'ignore', 'pipe'] });
}
