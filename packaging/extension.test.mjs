// node --test packaging/ : the store manifests made from extension/manifest.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chromiumManifest, firefoxManifest } from './extension.mjs';

const dev = JSON.parse(readFileSync(new URL('../extension/manifest.json', import.meta.url), 'utf8'));

test('the development manifest keeps its pinned key and both backgrounds', () => {
  assert.ok(dev.key, 'extension/manifest.json pins the Chromium dev ID with "key"');
  assert.ok(dev.background.service_worker && dev.background.scripts);
});

test('Chrome Web Store manifest: no key, no Firefox settings, the service worker only', () => {
  const m = chromiumManifest(dev);
  assert.equal(m.key, undefined);
  assert.equal(m.browser_specific_settings, undefined);
  assert.deepEqual(m.background, { service_worker: dev.background.service_worker });
  assert.deepEqual(m.permissions, dev.permissions);
  assert.equal(m.version, dev.version);
  assert.ok(dev.key, 'the input is not changed');
});

test('addons.mozilla.org manifest: gecko ID, minimum version, data collection, event page', () => {
  const m = firefoxManifest(dev);
  assert.equal(m.key, undefined);
  assert.deepEqual(m.browser_specific_settings, {
    gecko: {
      id: 'tokenbridge@tokenbridge.dev',
      strict_min_version: '142.0',
      data_collection_permissions: { required: ['authenticationInfo'] },
    },
  });
  assert.deepEqual(m.background, { scripts: dev.background.scripts });
  assert.ok(!m.permissions.includes('offscreen'), 'offscreen is Chromium-only');
  assert.ok(m.permissions.includes('nativeMessaging'));
});
