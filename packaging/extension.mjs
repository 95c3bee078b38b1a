#!/usr/bin/env node
// Builds the store trees of the extension from extension/ (no bundler): every file but the tests
// and the README, with a manifest.json made for each store from extension/manifest.json.
//   node packaging/extension.mjs --out DIR   ->  DIR/chromium/ (Chrome Web Store), DIR/firefox/ (AMO)
// scripts/release.sh zips them reproducibly (packaging/relkit archive).
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'extension');
const GECKO_ID = 'tokenbridge@tokenbridge.dev';
// Not part of the shipped extension.
const SKIP = new Set(['test', 'README.md']);

/** The Chrome Web Store manifest: no "key" (the store rejects it), no Firefox settings, the worker only. */
export function chromiumManifest(m) {
  const out = structuredClone(m);
  delete out.key;
  delete out.browser_specific_settings;
  out.background = { service_worker: m.background.service_worker };
  return out;
}

/** The addons.mozilla.org manifest: event-page scripts, Firefox's permissions, gecko settings. */
export function firefoxManifest(m) {
  const out = structuredClone(m);
  delete out.key;
  out.background = { scripts: m.background.scripts };
  // Chromium-only: Firefox reads the clipboard without an offscreen document.
  out.permissions = m.permissions.filter((p) => p !== 'offscreen');
  out.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      // data_collection_permissions exists from Firefox 140 (desktop) and 142 (Android): with an
      // older minimum `web-ext lint` warns (KEY_FIREFOX_*UNSUPPORTED_BY_MIN_VERSION), and a
      // gecko_android block would declare Android support, which native messaging lacks.
      strict_min_version: '142.0',
      // The add-on handles authentication information (API tokens), kept on the user's machine
      // (the OS keyring) and sent only to the broker's API and the page the user fills.
      data_collection_permissions: { required: ['authenticationInfo'] },
    },
  };
  return out;
}

function copyTree(dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const name of readdirSync(SRC).sort()) {
    if (SKIP.has(name) || name.startsWith('.') || name === 'manifest.json') continue;
    cpSync(join(SRC, name), join(dest, name), { recursive: true, filter: (p) => !p.split('/').pop().startsWith('.') });
  }
}

function main(argv) {
  const i = argv.indexOf('--out');
  if (i < 0 || !argv[i + 1]) {
    console.error('usage: node packaging/extension.mjs --out DIR');
    process.exit(2);
  }
  const out = resolve(argv[i + 1]);
  const manifest = JSON.parse(readFileSync(join(SRC, 'manifest.json'), 'utf8'));
  for (const [name, make] of [['chromium', chromiumManifest], ['firefox', firefoxManifest]]) {
    const dir = join(out, name);
    copyTree(dir);
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(make(manifest), null, 2)}\n`);
    console.log(`wrote ${dir}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
