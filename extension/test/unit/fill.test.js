import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, read, FILL_LIBS, FIXTURE_TOKEN, OTHER_TOKEN, same, sleep, until } from './helpers.js';

const URL_LOGOS = 'https://logos-up.com/profile/';
const NOW = Date.parse('2026-11-25T12:00:00Z');
const iso = (days) => new Date(NOW - days * 86400000).toISOString();

const TOKENS = [
  { id: 'tok_old_full', provider: 'tinvest', label: 'Старый полный', kind: 'full_access', created_at: iso(30), validation: { result: 'full_access' } },
  { id: 'tok_new_full', provider: 'tinvest', label: 'Новый полный', kind: 'full_access', created_at: iso(2) },
  { id: 'tok_ro', provider: 'tinvest', label: 'Чтение', kind: 'readonly', created_at: iso(1), validation: { result: 'readonly' } },
  { id: 'tok_bad', provider: 'tinvest', label: 'Отозван', kind: 'full_access', created_at: iso(0), validation: { result: 'invalid' } },
];
const SECRETS = { tok_old_full: OTHER_TOKEN, tok_new_full: FIXTURE_TOKEN };

function start(fixture, opts = {}) {
  const window = page(fixture, opts.url || URL_LOGOS);
  const TB = load(window, FILL_LIBS);
  const sent = [];
  const tokens = opts.tokens || TOKENS;
  const ctl = TB.fillPage.start({
    doc: window.document,
    send: async (msg) => {
      sent.push(msg);
      if (opts.reply) return opts.reply(msg);
      if (msg.type === 'tb:fill-candidates') return { ok: true, tokens };
      if (msg.type === 'tb:fill-secret') return SECRETS[msg.token_id] ? { ok: true, secret: SECRETS[msg.token_id], token: tokens.find((t) => t.id === msg.token_id) } : { ok: false, error: { code: 'not_found', message: 'no such token' } };
      if (msg.type === 'tb:record-use') return { ok: true, token: { id: msg.token_id } };
      return { ok: false, error: { code: 'not_allowed', message: 'x' } };
    },
    getSettings: async () => opts.settings || null,
    pollMs: 0,
    debounceMs: opts.debounceMs == null ? 5 : opts.debounceMs,
    isTrusted: opts.isTrusted === 'real' ? undefined : () => true, // 'real': the browser rule (script clicks do not count)
    open: opts.open,
  });
  return { TB, ctl, sent, window, d: window.document };
}
const status = (d) => { const h = d.querySelector('[data-tokenbridge="fill"]'); return h && h.getAttribute('data-tokenbridge-status'); };
const secretsFetched = (sent) => sent.filter((m) => m.type === 'tb:fill-secret');

test('pickBestToken: skips invalid/readonly/sandbox, full access first, then newest', () => {
  const TB = load(page('<p></p>', URL_LOGOS), FILL_LIBS);
  const p = TB.fill.pickBestToken(TOKENS);
  assert.equal(p.best.id, 'tok_new_full');
  assert.deepEqual([...p.choices.map((t) => t.id)], ['tok_new_full', 'tok_old_full']);
  assert.deepEqual([...p.skipped.map((s) => s.reason).sort()], ['invalid', 'readonly']);
  const none = TB.fill.pickBestToken([TOKENS[2], TOKENS[3], { id: 'sb', kind: 'sandbox' }]);
  assert.equal(none.best, null);
  const why = TB.fill.noTokenReason(none);
  assert.match(why, /недействителен/);
  assert.match(why, /песочница/);
  assert.match(TB.fill.noTokenReason(TB.fill.pickBestToken([])), /Нет сохранённых токенов/);
  const unknownFirst = TB.fill.pickBestToken([{ id: 'u', kind: 'unknown', created_at: iso(0) }, { id: 'f', kind: 'full_access', created_at: iso(9) }]);
  assert.equal(unknownFirst.best.id, 'f');
});

test('radio layout: fills only after «Тинькофф» is chosen, and only the block field', async () => {
  const { d, window, sent, ctl } = start('logos-radio.html');
  await sleep(40);
  assert.equal(secretsFetched(sent).length, 0, 'nothing fetched before a broker is chosen');
  assert.equal(status(d), 'offer');
  d.getElementById('r-t').click();
  await until(() => d.getElementById('token').value !== '', 2000, 'fill');
  same(d.getElementById('token').value, FIXTURE_TOKEN, 'filled the wrong token');
  assert.equal(d.getElementById('decoy-risk').value, '');
  assert.equal(d.getElementById('other-token').value, '');
  assert.equal(window.__connectClicks || 0, 0, 'never press «Подключить портфель» without auto-connect');
  assert.equal(status(d), 'filled');
  assert.equal(secretsFetched(sent)[0].token_id, 'tok_new_full');
  // Two full-access tokens: the chooser offers both.
  const ids = d.querySelector('[data-tokenbridge="fill"]').__tbCtl._buttons().map((b) => b.getAttribute('data-token-id'));
  assert.deepEqual([...ids], ['tok_new_full', 'tok_old_full']);
  // Choose the other one.
  d.querySelector('[data-tokenbridge="fill"]').__tbCtl._buttons()[1].click();
  await until(() => d.getElementById('token').value === OTHER_TOKEN, 2000, 'refill with chosen token');
  // Connected: record the use once.
  d.getElementById('connect-btn').click();
  await until(() => sent.some((m) => m.type === 'tb:record-use'), 2000, 'record-use');
  assert.equal(sent.filter((m) => m.type === 'tb:record-use').length, 1);
  assert.equal(sent.find((m) => m.type === 'tb:record-use').token_id, 'tok_old_full');
  assert.equal(status(d), 'connected');
  ctl.stop();
});

test('switching to «Другой брокер» after a fill takes the token back out', async () => {
  const { d, window, ctl } = start('logos-decoy.html');
  d.getElementById('r-t').click();
  await until(() => d.getElementById('token').value !== '', 2000, 'fill');
  const ro = d.getElementById('r-o');
  ro.checked = true;
  ro.dispatchEvent(new window.Event('change', { bubbles: true }));
  await until(() => d.getElementById('token').value === '', 2000, 'cleared');
  ctl.stop();
});

test('React-like controlled input accepts the value; auto-connect presses the button when enabled', async () => {
  const { d, window, sent, ctl } = start('logos-react.html', { settings: { autoconnect: true } });
  await until(() => status(d) === 'offer', 2000, 'offer');
  d.getElementById('b-t').click();
  await until(() => window.__reactState.token !== '', 2000, 'react state updated');
  same(window.__reactState.token, FIXTURE_TOKEN, 'state does not hold the token');
  assert.equal(window.__connectClicks, 1, 'auto-connect clicked once');
  await until(() => sent.some((m) => m.type === 'tb:record-use'), 2000, 'record-use after «Портфель подключен»');
  ctl.stop();
});

test('a plain assignment would NOT update the React-like state (the fixture really tracks)', async () => {
  const window = page('logos-react.html', URL_LOGOS);
  window.document.getElementById('b-t').click();
  const input = window.document.getElementById('tok');
  input.value = 'x';
  input.dispatchEvent(new window.Event('input', { bubbles: true }));
  assert.equal(window.__reactState.token, '');
});

test('offer button chooses «Тинькофф» and fills in one click (plain buttons without state)', async () => {
  const { d, ctl } = start('logos-plain.html');
  await until(() => status(d) === 'offer', 2000, 'offer');
  d.querySelector('[data-tokenbridge="fill"]').__tbCtl._buttons()[0].click();
  await until(() => d.getElementById('token') && d.getElementById('token').value !== '', 3000, 'fill after offer');
  same(d.getElementById('token').value, FIXTURE_TOKEN);
  ctl.stop();
});

test('plain buttons: the user picking «Другой брокер» is never filled', async () => {
  const { d, sent, ctl } = start('logos-plain.html');
  d.getElementById('o-o').click();
  await sleep(80);
  assert.equal(d.getElementById('other').value, '');
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('«Другой брокер» chosen: never filled, not even on a background request', async () => {
  const { d, sent, ctl } = start('logos-other.html');
  await sleep(60);
  assert.equal(d.getElementById('token').value, '');
  const r = await ctl.request({ type: 'tb:fill-request', token_id: 'tok_new_full' });
  assert.equal(r.ok, false);
  assert.equal(r.status, 'other_broker');
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('flat layout: decoys before/after the block and in a frame stay empty', async () => {
  const { d, ctl } = start('logos-decoy.html');
  // jsdom ignores srcdoc: give the iframe the same «Подключение портфеля» block by hand.
  const fd = d.getElementById('frame').contentDocument;
  fd.body.innerHTML = '<h2>Подключение портфеля</h2><label><input type=radio checked> Тинькофф</label><input id=t type=text placeholder="Токен">';
  d.getElementById('r-t').click();
  await until(() => d.getElementById('token').value !== '', 2000, 'fill');
  for (const id of ['decoy-before', 'decoy-after', 'decoy-area']) assert.equal(d.getElementById(id).value, '', id);
  await sleep(60);
  const frameField = d.getElementById('frame').contentDocument.getElementById('t');
  assert.ok(frameField, 'the frame holds its own token field');
  assert.equal(frameField.value, '', 'the field inside the iframe stays empty');
  ctl.stop();
});

test('look-alike headings: no block, nothing fetched or filled', async () => {
  const { d, sent, TB, ctl } = start('logos-lookalike.html');
  assert.equal(TB.fill.findBlock(d), null);
  await sleep(60);
  for (const id of ['f1', 'f2', 'f3']) assert.equal(d.getElementById(id).value, '');
  assert.equal(sent.length, 0);
  ctl.stop();
});

test('no usable token: says why and fills nothing', async () => {
  const { d, ctl } = start('logos-radio.html', { tokens: [TOKENS[2], TOKENS[3]] });
  d.getElementById('r-t').click();
  await until(() => status(d) === 'none:all_skipped', 2000, 'none status');
  assert.match(d.querySelector('[data-tokenbridge="fill"]').__tbCtl._text(), /только чтение/);
  assert.equal(d.getElementById('token').value, '');
  ctl.stop();
});

test('host errors are shown with their fix; auto-fill off fills nothing', async () => {
  const a = start('logos-decoy.html', { reply: () => ({ ok: false, error: { code: 'host_missing', message: 'x' } }) });
  a.d.getElementById('r-t').click();
  await until(() => status(a.d) === 'error:host_missing', 2000, 'error');
  assert.match(a.d.querySelector('[data-tokenbridge="fill"]').__tbCtl._text(), /install\.sh/);
  a.ctl.stop();
  const b = start('logos-decoy.html', { settings: { autofill: false } });
  b.d.getElementById('r-t').click();
  await sleep(60);
  assert.equal(status(b.d), 'offer-fill', 'auto-fill off still offers the one-click button');
  assert.equal(b.d.getElementById('token').value, '');
  assert.equal(secretsFetched(b.sent).length, 0);
  b.ctl.stop();
});

test('page scripts cannot trigger a fill with postMessage or CustomEvent', async () => {
  const { d, window, sent, ctl } = start('logos-plain.html');
  window.postMessage({ type: 'tb:fill-request', token_id: 'tok_new_full' }, '*');
  d.dispatchEvent(new window.CustomEvent('tb:fill-request', { detail: { token_id: 'tok_new_full' } }));
  d.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: 'x' }));
  await sleep(80);
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('a page script choosing «Тинькофф» itself (untrusted clicks) gets no token, only the button', async () => {
  const { d, sent, ctl } = start('logos-react.html', { isTrusted: 'real' });
  d.getElementById('b-t').click(); // untrusted: dispatched by script
  await until(() => status(d) === 'offer-fill', 2000, 'offer-fill');
  assert.equal(d.getElementById('tok').value, '');
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('already chosen on load: one-click button fills', async () => {
  const { d, ctl } = start('logos-decoy.html');
  await until(() => status(d) === 'offer-fill', 2000, 'offer-fill');
  assert.equal(d.getElementById('token').value, '');
  d.querySelector('[data-tokenbridge="fill"]').__tbCtl._buttons()[0].click();
  await until(() => d.getElementById('token').value !== '', 2000, 'fill via button');
  ctl.stop();
});

test('fast path: metadata prefetched when the block shows; the field is filled right after a user click, not after the idle batching', async () => {
  // Idle batching is set to 5 s here: the fill can only come in time through the immediate path.
  const { d, window, sent, ctl } = start('logos-react.html', { debounceMs: 5000 });
  await until(() => sent.some((m) => m.type === 'tb:fill-candidates'), 2000, 'prefetch of the candidate list');
  assert.equal(secretsFetched(sent).length, 0, 'only metadata is prefetched, never a secret');
  const before = sent.filter((m) => m.type === 'tb:fill-candidates').length;
  d.getElementById('b-t').click();
  await until(() => d.getElementById('tok') && window.__reactState.token !== '', 3000, 'fill well before the 5 s batching');
  same(window.__reactState.token, FIXTURE_TOKEN);
  assert.equal(secretsFetched(sent).length, 1);
  assert.ok(sent.filter((m) => m.type === 'tb:fill-candidates').length - before <= 1, 'at most one refresh of the list');
  ctl.stop();
});

test('record_use only for «Портфель подключен» inside the block, with our token still in the field', async () => {
  // Outside the block: ignored.
  const a = start('logos-react.html');
  a.d.getElementById('b-t').click();
  await until(() => a.window.__reactState.token !== '', 2000, 'fill');
  const p = a.d.createElement('p');
  p.textContent = 'Портфель подключен';
  a.d.querySelector('.c1').append(p);
  await sleep(80);
  a.ctl.scanNow();
  await sleep(40);
  assert.equal(a.sent.filter((m) => m.type === 'tb:record-use').length, 0, 'a success text outside the block does not count');
  a.ctl.stop();
  // Inside the block, but the page swapped the value before connecting: ignored.
  const b = start('logos-react.html');
  b.d.getElementById('b-t').click();
  await until(() => b.window.__reactState.token !== '', 2000, 'fill');
  const tok = b.d.getElementById('tok');
  const desc = Object.getOwnPropertyDescriptor(b.window.HTMLInputElement.prototype, 'value');
  desc.set.call(tok, OTHER_TOKEN);
  tok.dispatchEvent(new b.window.Event('input', { bubbles: true }));
  b.d.getElementById('go').click();
  await until(() => /Портфель подключен/.test(b.d.getElementById('pane').textContent), 2000, 'connected text');
  await sleep(80);
  b.ctl.scanNow();
  await sleep(40);
  assert.equal(b.sent.filter((m) => m.type === 'tb:record-use').length, 0, 'not our token any more');
  b.ctl.stop();
  // Inside the block with our token: recorded once.
  const c = start('logos-react.html');
  c.d.getElementById('b-t').click();
  await until(() => c.window.__reactState.token !== '', 2000, 'fill');
  c.d.getElementById('go').click();
  await until(() => c.sent.some((m) => m.type === 'tb:record-use'), 2000, 'record-use');
  c.ctl.stop();
});

// ---------------------------------------------------------------- the token field in a modal dialog (issue 9, point 5)
const dialogUrl = (v) => URL_LOGOS + (v ? '?v=' + v : '');
const DIALOG_DECOYS = ['dx-field', 'dn-field'];

for (const v of ['labelled', 'native', 'aria']) {
  test(`dialog (${v}): «Тинькофф» chosen → the field in the dialog is filled; «Портфель подключен» there is recorded`, async () => {
    const { d, sent, TB, ctl } = start('logos-dialog.html', { url: dialogUrl(v) });
    d.getElementById('o-t').click();
    await until(() => d.getElementById('token') && d.getElementById('token').value !== '', 2000, 'fill in the dialog');
    same(d.getElementById('token').value, FIXTURE_TOKEN, 'the dialog field holds the wrong value');
    for (const id of DIALOG_DECOYS) assert.equal(d.getElementById(id).value, '', id + ' (decoy dialog) stays empty');
    assert.equal(status(d), 'filled');
    const block = TB.fill.findBlock(d);
    assert.ok(block.dialog && block.dialog.contains(d.getElementById('token')), 'the dialog is attached to the block');
    assert.equal(TB.fill.findConnectButton(block).closest('.modal'), block.dialog, '«Подключить портфель» of the dialog');
    block.dialog.querySelector('.go').click();
    await until(() => sent.some((m) => m.type === 'tb:record-use'), 2000, 'record-use after «Портфель подключен» in the dialog');
    assert.equal(sent.filter((m) => m.type === 'tb:record-use').length, 1);
    assert.equal(status(d), 'connected');
    ctl.stop();
  });
}

test('dialog: «Другой брокер» chosen → its dialog (titled with the block name) is never filled', async () => {
  const { d, sent, TB, ctl } = start('logos-dialog.html', { url: dialogUrl() });
  d.getElementById('o-o').click();
  await sleep(80);
  assert.ok(TB.fill.findBlock(d).dialog, 'the other broker\'s dialog is attached (title = block name)…');
  assert.equal(TB.fill.brokerState(TB.fill.findBlock(d), null), 'other', '…but the broker chosen is the other one');
  assert.equal(d.getElementById('other').value, '');
  for (const id of DIALOG_DECOYS) assert.equal(d.getElementById(id).value, '', id);
  const r = await ctl.request({ type: 'tb:fill-request', token_id: 'tok_new_full' });
  assert.equal(r.status, 'other_broker');
  assert.equal(secretsFetched(sent).length, 0, 'no secret fetched');
  ctl.stop();
});

test('dialog: two Tinkoff dialogs at once → no guess, nothing filled', async () => {
  const { d, sent, ctl } = start('logos-dialog.html', { url: dialogUrl('two') });
  d.getElementById('o-t').click();
  await sleep(80);
  for (const id of ['token', 'token2', ...DIALOG_DECOYS]) assert.equal(d.getElementById(id).value, '', id);
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('dialog: a click on the dialog title «Тинькофф» is no broker choice', async () => {
  const { d, sent, ctl } = start('logos-dialog.html', { url: dialogUrl() });
  d.getElementById('o-o').click();
  await sleep(40);
  // The page marks nothing any more, and a Tinkoff-titled dialog shows: only a click on the block's choice counts.
  d.getElementById('o-o').removeAttribute('aria-pressed');
  d.getElementById('o-t').removeAttribute('aria-pressed');
  d.getElementById('dx-title').textContent = 'Тинькофф';
  d.getElementById('dx-title').click();
  await sleep(80);
  assert.equal(d.getElementById('dx-field').value, '');
  assert.equal(secretsFetched(sent).length, 0);
  ctl.stop();
});

test('dialog titles: only the block\'s and the broker\'s names', () => {
  const TB = load(page('<p></p>', URL_LOGOS), FILL_LIBS);
  const cases = [
    ['<div role=dialog aria-label="Тинькофф">', true],
    ['<div role=dialog aria-label="«Тинькофф»">', true],
    ['<div role=dialog aria-label="Подключение портфеля">', true],
    ['<div role=dialog aria-label="Подключение портфеля — Тинькофф">', true],
    ['<div role=alertdialog aria-label="Тинькофф: подключение портфеля">', true],
    ['<div aria-modal=true><h2>Подключение портфеля</h2>', true],
    ['<div role=dialog aria-label="Другой брокер">', false],
    ['<div role=dialog aria-label="Подключение портфеля: Другой брокер">', false],
    ['<div role=dialog aria-label="Тинькофф Банк — вход">', false],
    ['<div role=dialog aria-label="Отключение портфеля">', false],
    ['<div role=dialog>', false], // untitled
    ['<dialog aria-label="Тинькофф">', false], // a closed <dialog>
  ];
  for (const [open, want] of cases) {
    const html = `<div id=blk><h3>Подключение портфеля</h3><button aria-pressed=true>Тинькофф</button><button>Другой брокер</button></div>` +
      `${open}<input placeholder="Токен"><button>Подключить портфель</button></div>`.replace('</div>', open.startsWith('<dialog') ? '</dialog>' : '</div>');
    const w = page(html, URL_LOGOS);
    const T = load(w, FILL_LIBS);
    const b = T.fill.findBlock(w.document);
    assert.ok(b, open + ': block found');
    assert.equal(!!b.dialog, want, open);
  }
  assert.ok(TB.fill.findBlock, 'loaded');
});

// ---------------------------------------------------------------- fill rules as data (issue 12)
const URL_SNOWBALL = 'https://snowball-income.com/portfolio-sync-settings';
const RO_SECRET = 't.TBreadOnlyFixture_' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SB_TOKENS = [
  { id: 'tok_full', provider: 'tinvest', label: 'Полный', kind: 'full_access', created_at: iso(1), validation: { result: 'full_access' } },
  { id: 'tok_ro', provider: 'tinvest', label: 'Чтение', kind: 'readonly', created_at: iso(5), validation: { result: 'readonly' } },
  { id: 'tok_sb', provider: 'tinvest', label: 'Песочница', kind: 'sandbox', created_at: iso(0) },
];
const SB_SECRETS = { tok_full: FIXTURE_TOKEN, tok_ro: RO_SECRET };
const sbReply = (tokens) => (msg) => {
  if (msg.type === 'tb:fill-candidates') return { ok: true, tokens };
  if (msg.type === 'tb:fill-secret') return { ok: true, secret: SB_SECRETS[msg.token_id], token: tokens.find((t) => t.id === msg.token_id) };
  if (msg.type === 'tb:record-use') return { ok: true, token: { id: msg.token_id } };
  return { ok: false, error: { code: 'not_allowed', message: 'x' } };
};
const boxCtl = (d) => d.querySelector('[data-tokenbridge="fill"]').__tbCtl;

test('rules: a page URL picks its rule by exact origin and path, nothing else', () => {
  const TB = load(page('<p></p>', URL_LOGOS), FILL_LIBS);
  const cases = [
    ['https://logos-up.com/profile/', 'logos'],
    ['https://www.logos-up.com/profile', 'logos'],
    ['https://logos-up.com/profile?tab=1', 'logos'],
    ['https://logos-up.com/', null],
    ['https://logos-up.com.evil.test/profile/', null],
    ['https://logos-up.net/profile/', null],
    ['http://logos-up.com/profile/', null],
    ['https://logos-up.com:8443/profile/', null],
    ['https://user@logos-up.com/profile/', null],
    [URL_SNOWBALL, 'snowball'],
    [URL_SNOWBALL + '/tinkoff', 'snowball'],
    ['https://snowball-income.com/portfolio', null],
    ['https://snowball-income.com/portfolio-sync-settingsx', null],
    ['https://snowball-income.com.evil.test/portfolio-sync-settings', null],
    ['https://www.snowball-income.com/portfolio-sync-settings', null],
    ['https://snowball-income.co/portfolio-sync-settings', null],
    ['not a url', null],
  ];
  for (const [url, want] of cases) assert.equal((TB.rules.forUrl(url) || { id: null }).id, want, url);
  for (const r of TB.rules.RULES) {
    assert.ok(Object.isFrozen(r) && Object.isFrozen(r.origins) && Object.isFrozen(r.field), r.id + ' is frozen data');
    for (const m of r.matches) assert.ok(r.origins.some((o) => m.startsWith(o + '/')), r.id + ': ' + m + ' stays within its origins');
  }
  const manifest = JSON.parse(read('manifest.json'));
  const logos = TB.rules.byId('logos');
  assert.deepEqual([...manifest.content_scripts.find((c) => c.js.includes('content/logos.js')).matches], [...logos.matches], 'the manifest runs the Logos rule exactly where the rule says');
  const optional = TB.rules.RULES.filter((r) => r.optional).flatMap((r) => [...TB.rules.permissionsOf(r).origins]);
  assert.deepEqual([...manifest.optional_host_permissions].sort(), [...optional].sort(), 'optional rules ask exactly their origins, at run time');
  assert.equal(manifest.host_permissions, undefined, 'no host permission by default');
});

test('snowball rule: the one field labelled «Tinkoff OpenAPI Токен»; decoys (sandbox label, other fields, key, frame) never match', () => {
  const w = page('snowball.html', URL_SNOWBALL);
  const TB = load(w, FILL_LIBS);
  const rule = TB.rules.byId('snowball');
  const d = w.document;
  d.getElementById('frame').contentDocument.body.innerHTML = '<label for=f>Tinkoff OpenAPI Токен</label><input id=f type=text>';
  const block = TB.fill.findBlock(d, rule);
  assert.ok(block, 'block found by the field label');
  assert.equal(TB.fill.brokerState(block, null, rule), 'tinkoff', 'no broker choice on this page');
  assert.equal(TB.fill.findTokenField(block, rule), d.getElementById('sb-token'));
  assert.equal(TB.fill.findBlock(d, TB.rules.byId('logos')), null, 'the Logos rule sees nothing here');
  // A second exact field: ambiguous, nothing.
  d.getElementById('sb-decoy-other').setAttribute('placeholder', 'Tinkoff OpenAPI Токен');
  assert.equal(TB.fill.findBlock(d, rule), null, 'two fields with the label: never guess');
});

test('login forms: a password field of a login form is never a token field', () => {
  const w = page('login-token.html', 'https://snowball-income.com/portfolio-sync-settings');
  const TB = load(w, FILL_LIBS);
  const pass = w.document.getElementById('pass');
  assert.equal(TB.fill.isLoginPassword(pass), true);
  assert.equal(TB.fill.findBlock(w.document, TB.rules.byId('snowball')), null, 'the login password labelled like the token field is refused');
  const w2 = page('snowball.html', URL_SNOWBALL);
  const T2 = load(w2, FILL_LIBS);
  assert.equal(T2.fill.isLoginPassword(w2.document.getElementById('sb-token')), false);
});

test('kinds per rule: read-only preferred on Snowball, full access only on Logos', () => {
  const TB = load(page('<p></p>', URL_LOGOS), FILL_LIBS);
  const sb = TB.rules.byId('snowball');
  const p = TB.fill.pickBestToken(SB_TOKENS, sb);
  assert.equal(p.best.id, 'tok_ro', 'a read-only token when one exists');
  assert.equal(p.needsConsent, false);
  assert.deepEqual([...p.skipped.map((x) => x.reason)], ['sandbox']);
  const onlyFull = TB.fill.pickBestToken([SB_TOKENS[0], SB_TOKENS[2]], sb);
  assert.equal(onlyFull.best.id, 'tok_full');
  assert.equal(onlyFull.needsConsent, true, 'full access where read-only is preferred asks first');
  const logos = TB.fill.pickBestToken(SB_TOKENS);
  assert.equal(logos.best.id, 'tok_full');
  assert.equal(logos.needsConsent, false);
  assert.deepEqual([...logos.skipped.map((x) => x.reason)].sort(), ['readonly', 'sandbox']);
  const noAccess = TB.fill.pickBestToken([{ id: 'n', kind: 'full_access', validation: { result: 'no_access' } }], sb);
  assert.equal(noAccess.best, null, 'no_access never fits');
  assert.match(TB.fill.noTokenReason(noAccess, sb), /Snowball Income/);
});

test('Logos: a token whose last verdict is no_access is never chosen, even when it is the newest full-access kind', () => {
  const TB = load(page('<p></p>', URL_LOGOS), FILL_LIBS);
  const tokens = [
    { id: 'tok_na', kind: 'full_access', created_at: '2026-11-30T00:00:00Z', validation: { result: 'no_access' } },
    { id: 'tok_ok', kind: 'full_access', created_at: '2026-11-01T00:00:00Z', validation: { result: 'full_access' } },
  ];
  const p = TB.fill.pickBestToken(tokens);
  assert.equal(p.best.id, 'tok_ok');
  assert.deepEqual([...p.skipped.map((x) => x.reason)], ['no_access']);
  const only = TB.fill.pickBestToken([tokens[0]]);
  assert.equal(only.best, null);
  assert.match(TB.fill.noTokenReason(only), /нет доступа к счетам/, 'the reason is shown in words (box_skip_no_access)');
});

test('snowball page: the user\'s click on the box fills the read-only token into the labelled field only', async () => {
  const { d, sent, ctl } = start('snowball.html', { url: URL_SNOWBALL, reply: sbReply(SB_TOKENS) });
  await until(() => status(d) === 'offer-fill', 2000, 'a one-click offer (no user action yet)');
  assert.equal(secretsFetched(sent).length, 0, 'nothing fetched before the user acts');
  boxCtl(d)._buttons()[0].click();
  await until(() => d.getElementById('sb-token').value !== '', 2000, 'fill');
  same(d.getElementById('sb-token').value, RO_SECRET, 'the read-only token was not the one filled');
  for (const id of ['sb-key', 'search', 'sb-decoy-sandbox', 'sb-decoy-other']) assert.equal(d.getElementById(id).value, '', id);
  assert.deepEqual(secretsFetched(sent).map((m) => m.token_id), ['tok_ro']);
  // No success text on this site: the fill itself is recorded as the use, and the box keeps saying so.
  await until(() => sent.some((m) => m.type === 'tb:record-use'), 2000, 'record-use after the fill');
  assert.deepEqual(sent.filter((m) => m.type === 'tb:record-use').map((m) => m.token_id), ['tok_ro']);
  assert.equal(status(d), 'filled');
  ctl.stop();
});

test('snowball page, only a full-access token: asks first (risk explained), fills after «anyway», or opens the bank page', async () => {
  const opened = [];
  const { d, sent, ctl } = start('snowball.html', { url: URL_SNOWBALL, reply: sbReply([SB_TOKENS[0]]), open: (u) => opened.push(u) });
  d.getElementById('sb-token').click(); // the user acts inside the form: would auto-fill, but must ask
  await until(() => status(d) === 'ask:full_access', 2000, 'the consent question');
  assert.match(boxCtl(d)._text(), /Snowball Income/);
  assert.match(boxCtl(d)._text(), /только для чтения/);
  assert.equal(secretsFetched(sent).length, 0, 'no secret fetched before the user agrees');
  assert.equal(d.getElementById('sb-token').value, '');
  boxCtl(d)._buttons()[1].click();
  assert.deepEqual(opened, ['https://www.tbank.ru/invest/settings/'], '«issue a read-only token» opens the bank\'s token page');
  assert.equal(secretsFetched(sent).length, 0);
  boxCtl(d)._buttons()[0].click();
  await until(() => d.getElementById('sb-token').value !== '', 2000, 'fill after consent');
  same(d.getElementById('sb-token').value, FIXTURE_TOKEN);
  ctl.stop();
});
