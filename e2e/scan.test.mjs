// The leak scanners the browser suites rely on must find a secret in every form they claim to,
// or the "no secret anywhere" assertions would pass vacuously.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { leakyLines, scanTree } from './lib/env.mjs';
import { newToken } from './lib/sites.mjs';

test('scanTree finds raw, UTF-16, hex and base64/base64url forms at any alignment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-scan-'));
  try {
    const t = newToken();
    const files = {
      raw: Buffer.from(`{"x":"${t}"}`),
      u16: Buffer.from(`k${t}`, 'utf16le'),
      hex: Buffer.from(Buffer.from(t).toString('hex')),
      b64a: Buffer.from(Buffer.from(t).toString('base64')),
      b64b: Buffer.from(Buffer.from(`1${t}`).toString('base64')),
      b64c: Buffer.from(Buffer.from(`12${t}`).toString('base64url')),
      clean: Buffer.from(`${newToken()} and ${t.slice(0, 40)}`),
    };
    for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
    const hitFiles = new Set(scanTree(dir, [t]).map((h) => h.file.split('/').pop()));
    assert.deepEqual([...hitFiles].sort(), ['b64a', 'b64b', 'b64c', 'hex', 'raw', 'u16']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leakyLines flags secrets and token-shaped text, and redacts what it reports', () => {
  const t = newToken();
  const lines = ['clean line', `got ${t}`, `b64 ${Buffer.from(`ab${t}`).toString('base64')}`, `other ${newToken()}`];
  const out = leakyLines(lines, [t]);
  assert.equal(out.length, 3);
  assert.ok(out.every((l) => !l.includes(t) && !/t\.[A-Za-z0-9_-]{60,}/.test(l)), 'reports are redacted');
});
