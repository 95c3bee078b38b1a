import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { read, until, i18n } from './helpers.js';

function openPopup(replies) {
  const html = read('popup/popup.html').replace(/<script[^>]*><\/script>/g, '').replace(/<link[^>]*>/, '');
  const dom = new JSDOM(html, { url: 'chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/popup/popup.html', runScripts: 'outside-only' });
  const w = dom.window;
  const sent = [];
  const stored = {};
  w.chrome = {
    runtime: { id: 'hodkpdeoebfagkfdfjfhcfnbemcgabcj', sendMessage: async (m) => { sent.push(m); return (replies[m.type] || (() => ({ ok: false, error: { code: 'host_missing', message: 'x' } })))(m); } },
    i18n: i18n('ru'),
    storage: { local: { get: async () => ({ settings: stored.settings }), set: async (o) => Object.assign(stored, o) } },
  };
  for (const m of read('popup/popup.html').matchAll(/<script src="\.\.\/([^"]+)"|<script src="([^"]+)"/g)) w.eval(read(m[1] || 'popup/' + m[2]));
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

test('popup: host missing names ./scripts/install.sh in the tokenbridge folder and bin/tokenbridge doctor', async () => {
  const { d } = openPopup({});
  await until(() => d.getElementById('host').dataset.state === 'error', 2000, 'status');
  const s = d.getElementById('host').textContent;
  assert.match(s, /в папке tokenbridge/);
  assert.match(s, /bin\/tokenbridge doctor/);
});

for (const [keyring, re] of [['locked', /заблокирована/], ['unavailable', /недоступна/], ['timeout', /не ответила вовремя \(keyring did not answer within 5s\)/]]) {
  test(`popup: keyring ${keyring} is shown with its fix`, async () => {
    const { d } = openPopup({ 'tb:hello': () => ({ ok: true, version: '1', keyring, keyring_message: keyring === 'timeout' ? 'keyring did not answer within 5s' : '' }), 'tb:list': () => ({ ok: true, tokens: [] }), 'tb:moex-list': () => ({ ok: true, profiles: [] }) });
    await until(() => d.getElementById('host').dataset.state === 'warn', 2000, 'warn status');
    assert.match(d.getElementById('host').textContent, re);
  });
}

function ready(extra = {}) {
  const r = openPopup({
    'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
    'tb:list': () => ({ ok: true, tokens: [TOKEN] }),
    'tb:moex-list': () => ({ ok: true, profiles: [{ name: 'prod', env: 'prod', status: 'expired', access_expires_at: '2026-12-01T00:00:00Z', refresh_expires_at: '2026-12-02T00:00:00Z' }] }),
    ...extra,
  });
  return r;
}
const btn = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent === text);

test('popup: copy asks the background (no secret in the popup) and says when the clipboard clears', async () => {
  const { d, sent } = ready({ 'tb:copy': () => ({ ok: true, clear_after_s: 30 }) });
  await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
  btn(d.querySelector('[data-token-id="tok_1"]'), 'Копировать').click();
  await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
  assert.deepEqual({ ...sent.find((m) => m.type === 'tb:copy') }, { type: 'tb:copy', token_id: 'tok_1' });
  assert.match(d.getElementById('notice').textContent, /30 с/);
});

test('popup: rename sends tb:update with the new label', async () => {
  const { d, sent } = ready({ 'tb:update': () => ({ ok: true, token: TOKEN }) });
  await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
  btn(d.querySelector('[data-token-id="tok_1"]'), 'Переименовать').click();
  const input = d.querySelector('[data-token-id="tok_1"] .inline input');
  input.value = 'Новое имя';
  btn(d.querySelector('[data-token-id="tok_1"] .inline'), d.querySelector('[data-token-id="tok_1"] .inline button').textContent).click();
  await until(() => sent.some((m) => m.type === 'tb:update'), 2000, 'update');
  assert.deepEqual({ ...sent.find((m) => m.type === 'tb:update') }, { type: 'tb:update', token_id: 'tok_1', label: 'Новое имя' });
});

test('popup: validate sends tb:validate and shows host errors readably', async () => {
  const { d, sent } = ready({ 'tb:validate': () => ({ ok: false, error: { code: 'upstream', message: 'T-Invest did not answer' } }) });
  await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
  btn(d.querySelector('[data-token-id="tok_1"]'), 'Проверить').click();
  await until(() => sent.some((m) => m.type === 'tb:validate'), 2000, 'validate');
  await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
  assert.match(d.getElementById('notice').textContent, /проверьте сеть/);
});

test('popup: paste-add defaults to kind unknown, stores, then validates the new token', async () => {
  const { d, sent } = ready({
    'tb:store': () => ({ ok: true, created: true, token: { id: 'tok_new' } }),
    'tb:validate': () => ({ ok: true, token: { id: 'tok_new', validation: { result: 'full_access' } } }),
  });
  await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
  assert.equal(d.getElementById('add-kind').value, 'unknown');
  d.getElementById('add-secret').value = 't.' + 'P'.repeat(70);
  d.getElementById('add').dispatchEvent(new d.defaultView.Event('submit', { cancelable: true }));
  await until(() => sent.some((m) => m.type === 'tb:validate'), 2000, 'validate after store');
  const st = sent.find((m) => m.type === 'tb:store');
  assert.equal(st.kind, 'unknown');
  assert.equal(sent.find((m) => m.type === 'tb:validate').token_id, 'tok_new');
  assert.equal(d.getElementById('add-secret').value, '', 'the pasted value is cleared from the form');
});

test('popup: MOEX labels and status come from the locale; copy asks the background', async () => {
  const { d, sent } = ready({ 'tb:moex-copy': () => ({ ok: false, error: { code: 'moex_auth', message: 'run tokenbridge moex token prod --otp CODE' } }) });
  await until(() => d.querySelector('[data-moex-profile="prod"]'), 2000, 'moex row');
  const row = d.querySelector('[data-moex-profile="prod"]');
  assert.match(row.textContent, /истёк/);
  assert.match(row.textContent, /доступ: действует до/);
  assert.match(row.textContent, /обновление: действует до/);
  for (const el of row.querySelectorAll('.muted')) assert.doesNotMatch(el.textContent, /access|refresh/, 'no hard-coded English labels');
  btn(row, 'Копировать access token').click();
  await until(() => sent.some((m) => m.type === 'tb:moex-copy'), 2000, 'moex copy');
  assert.equal(sent.find((m) => m.type === 'tb:moex-copy').name, 'prod');
  await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
  assert.match(d.getElementById('notice').textContent, /--otp CODE/);
});

test('popup: other host codes have readable messages', async () => {
  for (const [code, re] of [['target_denied', /logos-up\.com/], ['too_large', /один токен/], ['keyring_timeout', /не ответила вовремя \(keyring did not answer within 5s\)/]]) {
    const { d } = ready({ 'tb:copy': () => ({ ok: false, error: { code, message: code === 'keyring_timeout' ? 'keyring did not answer within 5s' : 'x' } }) });
    await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
    btn(d.querySelector('[data-token-id="tok_1"]'), 'Копировать').click();
    await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
    assert.match(d.getElementById('notice').textContent, re, code);
  }
});
