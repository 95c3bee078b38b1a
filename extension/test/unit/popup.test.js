import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { read, until, i18n } from './helpers.js';

function openPopup(replies, locale = 'ru') {
  const html = read('popup/popup.html').replace(/<script[^>]*><\/script>/g, '').replace(/<link[^>]*>/, '');
  const dom = new JSDOM(html, { url: 'chrome-extension://hodkpdeoebfagkfdfjfhcfnbemcgabcj/popup/popup.html', runScripts: 'outside-only' });
  const w = dom.window;
  const sent = [];
  const stored = {};
  w.chrome = {
    runtime: { id: 'hodkpdeoebfagkfdfjfhcfnbemcgabcj', sendMessage: async (m) => { sent.push(m); return (replies[m.type] || (() => ({ ok: false, error: { code: 'host_missing', message: 'x' } })))(m); } },
    i18n: i18n(locale),
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
  const FULL = 'too many tokens: 1000 tokens are stored, the most tokenbridge keeps; this one was not saved';
  for (const [code, message, re] of [['target_denied', 'x', /logos-up\.com/], ['too_large', 'x', /один токен/],
    ['too_large', FULL, /\(too many tokens: 1000 tokens are stored[^)]*\).*tokenbridge list.*tokenbridge rm ID/],
    ['keyring_timeout', 'keyring did not answer within 5s', /не ответила вовремя \(keyring did not answer within 5s\)/]]) {
    const { d } = ready({ 'tb:copy': () => ({ ok: false, error: { code, message } }) });
    await until(() => d.querySelector('[data-token-id="tok_1"]'), 2000, 'row');
    btn(d.querySelector('[data-token-id="tok_1"]'), 'Копировать').click();
    await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
    assert.match(d.getElementById('notice').textContent, re, code);
  }
});

// ---- issue 9: no_access, failed checks beside the kept verdict, the expiry estimate, overrides, flood guard
const row = (d, id) => d.querySelector(`[data-token-id="${id}"]`);

test('popup: no_access has its own badge and message (RU and EN) and is never offered for fill', async () => {
  const NA = { ...TOKEN, id: 'tok_na', validation: { result: 'no_access', checked_at: '2026-11-20T09:00:00Z', accounts: [{ id: '1', name: 'ИИС', access_level: 'ACCOUNT_ACCESS_LEVEL_NO_ACCESS' }] } };
  for (const [locale, badge, msg] of [['ru', 'нет доступа к счетам', /нет доступа к счетам \(так показала последняя проверка\)/], ['en', 'no account access', /no access to any account/i]]) {
    const { d } = openPopup({
      'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
      'tb:list': () => ({ ok: true, tokens: [NA, TOKEN] }),
      'tb:moex-list': () => ({ ok: true, profiles: [] }),
    }, locale);
    await until(() => row(d, 'tok_na') && row(d, 'tok_1'), 2000, 'rows');
    const b = row(d, 'tok_na').querySelector('.badge');
    assert.equal(b.className, 'badge no_access');
    assert.equal(b.textContent, badge, locale);
    assert.match(row(d, 'tok_na').querySelector('.check-state').textContent, msg, locale);
    const fill = locale === 'ru' ? 'Вставить в Logos' : 'Fill into Logos';
    assert.equal(btn(row(d, 'tok_na'), fill), undefined, locale + ': no fill button for no_access');
    assert.ok(btn(row(d, 'tok_1'), fill), locale + ': a full-access token keeps its fill button');
  }
});

test('popup: a failed check shows "last checked OK on DATE" plus the failure; certificate shows the host\'s message', async () => {
  const kept = (code, message) => ({ result: 'full_access', checked_at: '2026-11-20T09:00:00Z', accounts: [{ id: '1', name: 'Брокерский счёт' }],
    last_failure: { at: '2026-11-25T09:00:00Z', code, message } });
  const CERT = 'invest-public-api.tbank.ru presented a certificate issued by "Russian Trusted Sub CA", which is not trusted; add it: "api_overrides": {"tinvest_ca": "/path/ca.pem"} in config.json';
  const tokens = [
    { ...TOKEN, id: 'tok_net', validation: kept('network', 'could not check the token: dial tcp: timeout') },
    { ...TOKEN, id: 'tok_cert', validation: kept('certificate', CERT) },
    { ...TOKEN, id: 'tok_rl', validation: kept('rate_limited', '80002') },
    { ...TOKEN, id: 'tok_new', validation: { result: 'upstream', code: 'certificate', message: CERT, checked_at: '2026-11-25T09:00:00Z', last_failure: { at: '2026-11-25T09:00:00Z', code: 'certificate', message: CERT } } },
    { ...TOKEN, id: 'tok_ok' },
  ];
  const { d } = ready({ 'tb:list': () => ({ ok: true, tokens }) });
  await until(() => tokens.every((x) => row(d, x.id)), 2000, 'rows');
  const state = (id) => (row(d, id).querySelector('.check-state') || {}).textContent || '';
  assert.match(state('tok_net'), /^Последняя успешная проверка: 20 нояб\. 2026 г\. · Проверка 25 нояб\. 2026 г\. не удалась: нет связи с сервером T-Invest/);
  assert.equal(row(d, 'tok_net').querySelector('.badge').className, 'badge full_access', 'the kept verdict stays the badge');
  assert.match(state('tok_cert'), /Последняя успешная проверка: 20 нояб\. 2026[\s\S]*сертификат сервера T-Invest не принят: invest-public-api\.tbank\.ru presented a certificate issued by "Russian Trusted Sub CA"[\s\S]*tinvest_ca/);
  assert.equal(row(d, 'tok_cert').dataset.checkFailure, 'certificate');
  assert.match(state('tok_rl'), /ограничил число запросов/);
  assert.match(state('tok_new'), /^Проверить не удалось: сертификат сервера T-Invest не принят: invest-public-api/);
  assert.doesNotMatch(state('tok_new'), /Последняя успешная/, 'no verdict yet: no "last checked OK"');
  assert.equal(row(d, 'tok_ok').querySelector('.check-state'), null, 'a good check shows no failure line');
});

test('popup: the expiry estimate comes from the host when it sends one (else last use + 3 months)', async () => {
  const soon = new Date(Date.now() + 5 * 86400000).toISOString();
  const far = new Date(Date.now() + 60 * 86400000).toISOString();
  const tokens = [
    { ...TOKEN, id: 'tok_h', last_used_at: new Date().toISOString(), expires_estimate: soon, expires_in_days: 5, expires_soon: true },
    { ...TOKEN, id: 'tok_f', expires_estimate: far, expires_in_days: 60, expires_soon: false },
  ];
  const { d } = ready({ 'tb:list': () => ({ ok: true, tokens }) });
  await until(() => row(d, 'tok_h') && row(d, 'tok_f'), 2000, 'rows');
  assert.match(row(d, 'tok_h').textContent, /Скоро истечёт/, 'the host\'s expires_soon, though last use is today');
  assert.doesNotMatch(row(d, 'tok_f').textContent, /Скоро истечёт/, 'the host\'s estimate, though last use was 80 days ago');
  assert.match(row(d, 'tok_f').textContent, /Истечёт около/);
});

test('popup: every active API override is a visible warning line; a refused one says so with the host\'s reason', async () => {
  const { d } = ready({ 'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok', overrides: [
    { setting: 'TOKENBRIDGE_TINVEST_URL', value: 'http://127.0.0.1:4123/prod/rest', reason: 'accepted: a loopback address', refused: false },
    { setting: 'api_overrides.tinvest_sandbox_url', value: 'https://evil.example/', reason: 'refused: not a T-Invest host; remove it', refused: true },
  ] }) });
  await until(() => !d.getElementById('warnings').hidden, 2000, 'warnings shown');
  const w = d.getElementById('warnings').textContent;
  assert.match(w, /Внимание: действует настройка TOKENBRIDGE_TINVEST_URL = http:\/\/127\.0\.0\.1:4123\/prod\/rest/);
  assert.match(w, /bin\/tokenbridge doctor/);
  assert.match(w, /Настройка api_overrides\.tinvest_sandbox_url = https:\/\/evil\.example\/ отклонена[\s\S]*refused: not a T-Invest host/);
  const plain = ready();
  await until(() => row(plain.d, 'tok_1'), 2000, 'row');
  assert.equal(plain.d.getElementById('warnings').hidden, true, 'no override: no warning');
});

test('popup: the flood guard\'s refusals on a bank tab are a visible line', async () => {
  const at = Date.parse('2026-12-01T10:05:00Z');
  const { d, sent } = ready({ 'tb:capture-limits': () => ({ ok: true, hits: [{ at: at - 60000, origin: 'https://www.tbank.ru' }, { at, origin: 'https://www.tbank.ru' }] }) });
  await until(() => !d.getElementById('warnings').hidden, 2000, 'line shown');
  assert.ok(sent.some((m) => m.type === 'tb:capture-limits'));
  assert.match(d.getElementById('warnings').textContent, /защита от потока токенов \(раз: 2, последний — \d\d:\d\d\)[\s\S]*Сохранить этот токен/);
});

test('popup: rename cleans the name (emoji kept, invisible characters dropped) and refuses an invisible one', async () => {
  const { d, sent } = ready({ 'tb:update': () => ({ ok: true, token: TOKEN }) });
  await until(() => row(d, 'tok_1'), 2000, 'row');
  const rename = (value) => {
    btn(row(d, 'tok_1'), 'Переименовать').click();
    const input = row(d, 'tok_1').querySelector('.inline input');
    input.value = value;
    btn(row(d, 'tok_1').querySelector('.inline'), 'Сохранить').click();
  };
  rename('\u200b\u200d ');
  await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
  assert.match(d.getElementById('notice').textContent, /невидимых символов/);
  assert.equal(sent.filter((m) => m.type === 'tb:update').length, 0);
  rename('\u202eРобот \u{1f468}\u200d\u{1f4bb}\u200b');
  await until(() => sent.some((m) => m.type === 'tb:update'), 2000, 'update');
  assert.equal(sent.find((m) => m.type === 'tb:update').label, 'Робот \u{1f468}\u200d\u{1f4bb}');
});

test('popup: an optional site is turned on by the browser\'s prompt in the click, then the background; no read-only token → offers to issue one', async () => {
  let enabled = false;
  const { w, d, sent } = openPopup({
    'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
    'tb:list': () => ({ ok: true, tokens: [TOKEN] }), // full access only
    'tb:sites': () => ({ ok: true, sites: [{ id: 'snowball', name: 'Snowball Income', origins: ['https://snowball-income.com'], permissions: { origins: ['https://snowball-income.com/*'] }, prefers: 'readonly', enabled }] }),
    'tb:site-enable': () => { enabled = true; return { ok: true }; },
  });
  const asked = [];
  const opened = [];
  w.chrome.permissions = { request: async (p) => { asked.push(p); return true; } };
  w.chrome.tabs = { create: async (o) => { opened.push(o.url); } };
  await until(() => d.querySelector('[data-site="snowball"]'), 2000, 'site row');
  const row = () => d.querySelector('[data-site="snowball"]');
  assert.equal(row().dataset.enabled, 'false');
  assert.match(row().textContent, /только для чтения/);
  const btn = (text) => [...row().querySelectorAll('button')].find((b) => b.textContent === text);
  btn('Выпустить токен только для чтения').click();
  await until(() => opened.length === 1, 2000, 'bank page opened');
  assert.deepEqual(opened, ['https://www.tbank.ru/invest/settings/']);
  btn('Включить').click();
  assert.deepEqual(JSON.parse(JSON.stringify(asked)), [{ origins: ['https://snowball-income.com/*'] }], 'the browser is asked for exactly the site, in the click');
  await until(() => sent.some((m) => m.type === 'tb:site-enable' && m.rule_id === 'snowball'), 2000, 'tb:site-enable');
  await until(() => row() && row().dataset.enabled === 'true', 2000, 'row shows on');
});

test('popup: where each token is used (per token, per origin); an unused token\'s delete points to revoking it at the bank', async () => {
  const used = { ...TOKEN, id: 'tok_used', label: 'Для Logos', used_by: [
    { origin: 'https://logos-up.com', at: '2026-11-20T10:00:00Z' }, { origin: 'https://snowball-income.com', at: '2026-11-21T10:00:00Z' },
    { origin: 'https://logos-up.com', at: '2026-11-22T10:00:00Z' }] };
  const older = { ...TOKEN, id: 'tok_old', label: 'Старый', used_by: [{ origin: 'https://snowball-income.com', at: '2026-11-01T10:00:00Z' }] };
  const unused = { ...TOKEN, id: 'tok_free', label: 'Свободный' };
  const { d } = openPopup({
    'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
    'tb:list': () => ({ ok: true, tokens: [used, older, unused] }),
  });
  await until(() => d.querySelector('[data-token-id="tok_free"]'), 2000, 'rows');
  const usage = (id) => d.querySelector(`li[data-token-id="${id}"] .usage`);
  assert.equal(usage('tok_used').dataset.usedBy, 'https://logos-up.com https://snowball-income.com', 'each origin once, latest use first');
  assert.match(usage('tok_used').textContent, /Используется: logos-up\.com, snowball-income\.com/);
  assert.match(usage('tok_free').textContent, /Нигде не используется.*id\.tbank\.ru\/account/);
  const perOrigin = [...d.querySelectorAll('#origins li')].map((li) => [li.dataset.origin, li.dataset.tokenId]);
  assert.deepEqual(perOrigin, [['https://logos-up.com', 'tok_used'], ['https://snowball-income.com', 'tok_used']], 'per origin the token used there last');
  assert.equal(d.getElementById('origins-section').hidden, false);
  const del = (id) => [...d.querySelectorAll(`li[data-token-id="${id}"] button`)].find((b) => b.textContent === 'Удалить');
  del('tok_free').click();
  assert.match(d.querySelector('li[data-token-id="tok_free"] .inline').textContent, /отзовите его в банке: https:\/\/id\.tbank\.ru\/account/);
  del('tok_used').click();
  assert.doesNotMatch(d.querySelector('li[data-token-id="tok_used"] .inline').textContent, /отзовите/);
});

test('popup: «Вставить в поле на этой странице» asks once per origin in the popup; the allowlist is listed and added origins can be removed', async () => {
  let added = ['https://tracker.example-invest.test'];
  const { d, sent } = openPopup({
    'tb:hello': () => ({ ok: true, version: '1.0', keyring: 'ok' }),
    'tb:list': () => ({ ok: true, tokens: [TOKEN] }),
    'tb:user-fill': () => ({ ok: false, ask: 'origin', origin: 'https://new.example-invest.test' }),
    'tb:user-fill-answer': (m) => (m.yes ? { ok: true, status: 'filled', origin: 'https://new.example-invest.test' } : { ok: true, status: 'cancelled' }),
    'tb:fill-origins': () => ({ ok: true, builtin: ['https://logos-up.com'], added }),
    'tb:fill-origin-remove': (m) => { added = added.filter((o) => o !== m.origin); return { ok: true }; },
  });
  await until(() => d.querySelector('[data-fill-origin="https://tracker.example-invest.test"]'), 2000, 'allowlist');
  assert.ok(d.querySelector('[data-fill-origin="https://logos-up.com"]:not([data-added])'), 'built-in origins are listed, without a remove button');
  assert.equal(d.querySelectorAll('[data-fill-origin="https://logos-up.com"] button').length, 0);
  d.getElementById('fill-here-btn').click();
  await until(() => !d.getElementById('ask').hidden, 2000, 'the question');
  assert.match(d.getElementById('ask').textContent, /Разрешить вставку токенов T-Invest на https:\/\/new\.example-invest\.test\?/);
  [...d.querySelectorAll('#ask button')].find((b) => b.textContent === 'Разрешить и вставить').click();
  await until(() => sent.some((m) => m.type === 'tb:user-fill-answer' && m.yes === true && m.tab_id === null), 2000, 'the answer');
  await until(() => /Токен вставлен в поле на new\.example-invest\.test/.test(d.getElementById('notice').textContent), 2000, 'done');
  d.querySelector('[data-fill-origin="https://tracker.example-invest.test"] button').click();
  await until(() => !d.querySelector('[data-fill-origin="https://tracker.example-invest.test"]'), 2000, 'removed');
  assert.deepEqual(sent.filter((m) => m.type === 'tb:fill-origin-remove').map((m) => m.origin), ['https://tracker.example-invest.test']);
});

test('popup: a MOEX copy with the host\'s reuse warning shows it beside «Скопировано»', async () => {
  const { d } = ready({ 'tb:moex-copy': () => ({ ok: true, clear_after_s: 30, expires_at: '2026-12-01T10:00:00Z', warning: 'someone else may hold a copy of it' }) });
  await until(() => d.querySelector('[data-moex-profile="prod"]'), 2000, 'moex row');
  btn(d.querySelector('[data-moex-profile="prod"]'), 'Копировать access token').click();
  await until(() => !d.getElementById('notice').hidden, 2000, 'notice');
  const text = d.getElementById('notice').textContent;
  assert.match(text, /Скопировано/);
  assert.match(text, /Внимание: MOEX сообщает.*someone else may hold a copy of it/);
});
