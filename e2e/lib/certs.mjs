// Throwaway test PKI: a CA and one leaf certificate for every replica host name,
// made with openssl in a temporary directory at test time. Nothing here is ever committed.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function ssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * makeCerts(hosts) -> { dir, caPath, certPath, keyPath, ca, cert, key, spki }
 * spki: base64 SHA-256 of the leaf's SubjectPublicKeyInfo (for Chromium's
 * --ignore-certificate-errors-spki-list).
 */
export function makeCerts(hosts, dir = mkdtempSync(join(tmpdir(), 'tb-pki-'))) {
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-sha256',
    '-subj', '/CN=tokenbridge e2e throwaway CA', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=${hosts[0]}`,
    '-keyout', 'leaf.key', '-out', 'leaf.csr'], dir);
  writeFileSync(join(dir, 'leaf.ext'), [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
  ].join('\n') + '\n');
  ssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem'], dir);
  const cert = readFileSync(join(dir, 'leaf.pem'));
  const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    certPath: join(dir, 'leaf.pem'),
    keyPath: join(dir, 'leaf.key'),
    ca: readFileSync(join(dir, 'ca.pem')),
    cert,
    key: readFileSync(join(dir, 'leaf.key')),
    spki: createHash('sha256').update(der).digest('base64'),
  };
}
