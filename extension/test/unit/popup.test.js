import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { read, until } from './helpers.js';

const RU = JSON.parse(read('_locales/ru/messages.json'));
function getMessage(key, subs) {
  const e = RU[key];
  if (!e) return '';
  const args = Array.isArray(subs) ? subs : subs == null ? [] : [subs];
  return e.message.replace(/\$ARG(\d)\$/g, (_, n) => String(args[n - 1] ?? ''));
}

function openPopup(replies) {
  const html = read('popup/popup.html').replace(/<script[^>]*><\/script>/g, '').replace(/<link[^>]*>/, '');
  const dom = new JSDOM(html, { url: 'chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/popup/popup.html', runScripts: 'outside-only' });
  const w = dom.window;
  const sent = [];
  const stored = {};
  w.chrome = {
    runtime: { id: 'hodkpdeoebfagkfdfjfhcfnbemcgabcj', sendMessage: async (m) => { sent.push(m); return (replies[m.type] || (() => ({ ok: false, error: { code: 'host_missing', message: 'x' } })))(m); } },
    i18n: { getMessage, getUILanguage: () => 'ru' },
    storage: { local: { get: async () => ({ settings: stored.settings }), set: async (o) => Object.assign(stored, o) } },
  };
  w.eval(read('lib/popup-model.js'));
  w.eval(read('popup/popup.js'));
  return { w, d: w.document, sent, stored };
}

const TOKEN = { id: 'tok_1', provider: 'tinvest', label: 'Мой токен', kind: 'full_access', masked: 't.TB…3456',
  created_at: '2026-11-01T00:00:00Z', last_used_at: new Date(Date.now() - 80 * 86400000).toISOString(),
  validation: { result: 'full_access', accounts: [{ id: '1', name: 'Брокерский счёт' }] } };

test('popup: host missing shows the install command', async () => {
  const { d } = openPopup({});
  await until(() => d.getElementById('host').dataset.state === 'error', 2000, 'status');
  assert.match(d.getElementById('host').textContent, /\.\/scripts\/install\.sh/);
});

test('popup: lists tokens with kind, badge, masked value, accounts, expiry warning; delete asks inline', async () => {
  const { d, sent, stored } = openPopup({
    'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
    'tb:list': () => ({ ok: true, tokens: [TOKEN] }),
    'tb:moex-list': () => ({ ok: true, profiles: [{ name: 'prod', env: 'prod', status: 'ok', access_expires_at: '2026-12-01T00:00:00Z', refresh_expires_at: null }] }),
    'tb:delete': () => ({ ok: true, deleted: true }),
  });
  await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'token row');
  const text = d.querySelector('[data-token-id="tok_1"]').textContent;
  for (const re of [/Мой токен/, /полный доступ/, /действует/, /t\.TB…3456/, /Брокерский счёт/, /Скоро истечёт/]) assert.match(text, re);
  assert.match(d.getElementById('moex').textContent, /prod/);
  const del = [...d.querySelectorAll('[data-token-id="tok_1"] button')].find((b) => b.textContent === 'Удалить');
  del.click();
  assert.equal(sent.filter((m) => m.type === 'tb:delete').length, 0, 'asks before deleting');
  const yes = [...d.querySelectorAll('[data-token-id="tok_1"] .inline button')].find((b) => b.textContent === 'Удалить');
  yes.click();
  await until(() => sent.some((m) => m.type === 'tb:delete'), 2000, 'delete');
  // settings go to storage.local, nothing else
  const box = d.getElementById('set-autoconnect');
  box.checked = true;
  box.dispatchEvent(new d.defaultView.Event('change'));
  await until(() => stored.settings && stored.settings.autoconnect === true, 2000, 'settings saved');
  assert.deepEqual(Object.keys(stored), ['settings']);
});
