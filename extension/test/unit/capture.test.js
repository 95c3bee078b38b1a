import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, CAPTURE_LIBS, FIXTURE_TOKEN, same, sleep, until } from './helpers.js';

const URL_TB = 'https://www.tbank.ru/invest/settings/tokens';

// jsdom cannot make trusted events. Events a test makes as "the user" are registered here; the
// 'real' rule accepts only those (a script's dispatchEvent/click() never is), the default rule accepts all.
const userEvents = new WeakSet();
/** Dispatch `type` on target as a user action (trusted under the 'real' rule). */
function user(window, target, type = 'click', init = {}) {
  const Ctor = type === 'click' ? window.MouseEvent : type.startsWith('key') ? window.KeyboardEvent : window.Event;
  const ev = new Ctor(type, { bubbles: true, cancelable: true, composed: true, ...init });
  userEvents.add(ev);
  target.dispatchEvent(ev);
  return ev;
}

/**
 * Start the capture controller with a fake background; returns {TB, ctl, sent, window}. A fixture that
 * shows «Токен выпущен» at once is first parked: the controller starts on an empty page, the user
 * clicks, then the issued page appears (as after «Выпустить токен»). opts.onLoad: keep it shown on
 * load (nobody acted: a forged page).
 */
function start(fixture, opts = {}) {
  const window = page(fixture, opts.url || URL_TB, { mainWorld: opts.mainWorld, locale: opts.locale });
  const TB = load(window, CAPTURE_LIBS);
  const body = window.document.body;
  const parked = !opts.onLoad && TB.capture.isIssuedPage(window.document) ? Array.from(body.childNodes) : null;
  if (parked) body.replaceChildren();
  const sent = [];
  const reply = opts.reply || ((msg) => {
    if (msg.type === 'tb:capture') return { ok: true, created: sent.filter((m) => m.type === 'tb:capture').length === 1, token: { id: 'tok_1', label: msg.label, kind: msg.kind, masked: 't.TB…3456' } };
    if (msg.type === 'tb:validate') return { ok: true, token: { id: 'tok_1', validation: { result: 'full_access', accounts: 2 } } };
    return { ok: false, error: { code: 'not_allowed', message: 'x' } };
  });
  const ctl = TB.capturePage.start({
    doc: window.document,
    send: async (msg) => { sent.push(msg); return reply(msg); },
    getSettings: async () => opts.settings || null,
    pollMs: 0,
    debounceMs: 5,
    // 'real': only the test's user events count (a script's events never do); default: every event.
    isTrusted: opts.isTrusted === 'real' ? (ev) => userEvents.has(ev) : (opts.isTrusted || (() => true)),
  });
  if (parked) {
    user(window, body);
    body.append(...parked);
  }
  return { TB, ctl, sent, window };
}

const captures = (sent) => sent.filter((m) => m.type === 'tb:capture');
const host = (window) => window.document.querySelector('[data-tokenbridge="capture"]');

for (const fixture of ['tinvest-text.html', 'tinvest-input.html', 'tinvest-shadow.html']) {
  test('captures the token from ' + fixture, async () => {
    const { sent, window, ctl } = start(fixture);
    await until(() => captures(sent).length === 1, 2000, 'capture');
    same(captures(sent)[0].secret, FIXTURE_TOKEN, 'captured value is not the fixture token');
    await until(() => host(window) && host(window).getAttribute('data-tokenbridge-validation') === 'full_access', 2000, 'verdict');
    assert.equal(host(window).getAttribute('data-tokenbridge-status'), 'stored');
    assert.equal(host(window).shadowRoot, null, 'confirmation box must use a closed shadow root');
    // The box lives in a CLOSED shadow root (body.textContent never includes it): check its own text.
    const boxText = host(window).__tbCtl._text();
    assert.match(boxText, /Токен сохранён в связке ключей[\s\S]*Проверен: полный доступ/, 'the box says saved + checked');
    for (let i = 0; i + 12 <= FIXTURE_TOKEN.length; i += 4) {
      assert.ok(!boxText.includes(FIXTURE_TOKEN.slice(i, i + 12)), 'the confirmation box shows no part of the token');
    }
    const v = sent.find((m) => m.type === 'tb:validate');
    assert.equal(v.token_id, 'tok_1');
    ctl.scanNow();
    await sleep(30);
    assert.equal(captures(sent).length, 1, 'the same token must be stored once');
    ctl.stop();
  });
}

test('value only on «Скопировать токен» (navigator.clipboard.writeText in the main world)', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html', { mainWorld: true });
  await sleep(30);
  assert.equal(captures(sent).length, 0, 'nothing to capture before the copy');
  window.document.getElementById('copy').click();
  await until(() => captures(sent).length === 1, 2000, 'capture on copy');
  same(captures(sent)[0].secret, FIXTURE_TOKEN);
  window.document.getElementById('copy').click();
  await sleep(30);
  assert.equal(captures(sent).length, 1, 'second copy must not store again');
  ctl.stop();
});

test('value only on copy via execCommand(copy) of a selected textarea', async () => {
  const { sent, window, ctl } = start('tinvest-copy-exec.html', { mainWorld: true });
  window.document.getElementById('copy').click();
  await until(() => captures(sent).length === 1, 2000, 'capture on execCommand copy');
  same(captures(sent)[0].secret, FIXTURE_TOKEN);
  ctl.stop();
});

test('a (trusted) copy event right after the «Скопировать токен» click is captured (isolated world only)', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html');
  window.document.getElementById('copy').click();
  const ev = new window.Event('copy', { bubbles: true });
  ev.clipboardData = { getData: () => FIXTURE_TOKEN };
  window.document.body.dispatchEvent(ev);
  await until(() => captures(sent).length === 1, 2000, 'capture from copy event');
  ctl.stop();
});

test('SPA flow: remembers «Полный доступ» + «Все счета», captures the late-rendered token', async () => {
  const { sent, window, ctl } = start('tinvest-flow.html');
  const d = window.document;
  const fa = d.getElementById('fa');
  fa.checked = true;
  fa.dispatchEvent(new window.Event('change', { bubbles: true }));
  d.getElementById('issue').click();
  await until(() => captures(sent).length === 1, 3000, 'late capture');
  const m = captures(sent)[0];
  assert.equal(m.kind, 'full_access');
  assert.deepEqual({ ...m.scope }, { all_accounts: true, account_name: '' });
  assert.match(m.label, /полный доступ/);
  ctl.stop();
});

test('SPA flow: «Только для чтения» on a named account', async () => {
  const { sent, window, ctl } = start('tinvest-flow.html');
  const d = window.document;
  const sel = d.getElementById('acc');
  sel.selectedIndex = 2;
  sel.dispatchEvent(new window.Event('change', { bubbles: true }));
  const ro = d.getElementById('ro');
  ro.checked = true;
  ro.dispatchEvent(new window.Event('change', { bubbles: true }));
  d.getElementById('issue').click();
  await until(() => captures(sent).length === 1, 3000, 'late capture');
  const m = captures(sent)[0];
  assert.equal(m.kind, 'readonly');
  assert.deepEqual({ ...m.scope }, { all_accounts: false, account_name: 'ИИС' });
  ctl.stop();
});

test('readIssueChoices with ARIA checkboxes and a combobox', () => {
  const window = page(`<main><h3>Создание токена</h3>
    <div role="combobox" aria-haspopup="listbox">… Брокерский счёт ▾</div>
    <div><span role="checkbox" aria-checked="false"></span><span>Только для чтения</span></div>
    <div><span role="checkbox" aria-checked="true"></span><span>Полный доступ</span></div>
    <button>Выпустить токен</button></main>`, URL_TB);
  const TB = load(window, CAPTURE_LIBS);
  const c = TB.capture.readIssueChoices(window.document);
  assert.equal(c.kind, 'full_access');
  assert.deepEqual({ ...c.scope }, { all_accounts: false, account_name: 'Брокерский счёт' });
});

test('masked or partial tokens are never captured', async () => {
  const { sent, ctl } = start('tinvest-masked.html');
  await sleep(60);
  assert.equal(captures(sent).length, 0);
  ctl.stop();
});

test('look-alike headings do not count as «Токен выпущен»', async () => {
  const { sent, window, ctl, TB } = start('tinvest-lookalike.html', { mainWorld: true });
  assert.equal(TB.capture.isIssuedPage(window.document), false);
  await sleep(40);
  // even a page-script "candidate" is refused while the page is not the issued page
  window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FIXTURE_TOKEN }));
  await sleep(40);
  assert.equal(captures(sent).length, 0);
  ctl.stop();
});

test('page candidates must have the token shape', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html');
  for (const bad of ['t.Ab…Yz9Q', 'hello', 't.' + 'x'.repeat(20), { toString: () => FIXTURE_TOKEN }]) {
    window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: bad }));
  }
  await sleep(40);
  assert.equal(captures(sent).length, 0);
  ctl.stop();
});

test('auto-capture off: nothing is sent', async () => {
  const { sent, ctl } = start('tinvest-text.html', { settings: { autocapture: false } });
  await sleep(60);
  assert.equal(sent.length, 0);
  ctl.stop();
});

for (const [code, re] of [['host_missing', /install\.sh/], ['keyring_locked', /заблокирована/], ['host_forbidden', /--extension-id hodkpdeoebfagkfdfjfhcfnbemcgabcj/]]) {
  test('store failure ' + code + ' is shown with its fix', async () => {
    const { sent, window, ctl } = start('tinvest-text.html', { reply: () => ({ ok: false, error: { code, message: 'x' } }) });
    await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === 'error:' + code, 2000, 'error status');
    const text = host(window).__tbCtl._text();
    assert.match(text, re);
    assert.match(text, /НЕ сохранён/);
    assert.doesNotMatch(text, /NOT saved/, 'one language: the browser\'s (ru here)');
    assert.equal(captures(sent).length, 1);
    ctl.stop();
  });
}

test('validation verdict "invalid" updates the box', async () => {
  const { window, ctl } = start('tinvest-text.html', { reply: (m) => m.type === 'tb:capture'
    ? { ok: true, created: true, token: { id: 'tok_9', label: 'L', kind: 'full_access' } }
    : { ok: true, token: { id: 'tok_9', validation: { result: 'invalid', accounts: 0 } } } });
  await until(() => host(window) && host(window).getAttribute('data-tokenbridge-validation') === 'invalid', 2000, 'invalid verdict');
  assert.match(host(window).__tbCtl._text(), /недействителен/);
  ctl.stop();
});

test('readIssueChoices: role=checkbox labels with a «?» hint and an arrow dropdown «ИИС ▾»', () => {
  const window = page(`<main><div>Создание токена</div>
    <div role="button">ИИС ▾</div>
    <label role="checkbox" aria-checked="false">Только для чтения<span title="hint">?</span><span aria-checked="false"></span></label>
    <label role="checkbox" aria-checked="true">Полный доступ<span aria-checked="true">✓</span></label>
    <p><button>Выпустить токен</button></p></main>`, URL_TB);
  const TB = load(window, CAPTURE_LIBS);
  const c = TB.capture.readIssueChoices(window.document);
  assert.equal(c.kind, 'full_access');
  assert.deepEqual({ ...c.scope }, { all_accounts: false, account_name: 'ИИС' });
  window.document.querySelector('[role=button]').textContent = 'Все счета ▾';
  assert.deepEqual({ ...TB.capture.readIssueChoices(window.document).scope }, { all_accounts: true, account_name: '' });
});

test('the same token seen at once from the DOM and the clipboard is stored once', async () => {
  const { sent, window, ctl } = start('tinvest-text.html', { mainWorld: true });
  await Promise.all([ctl.offer(FIXTURE_TOKEN), ctl.offer(FIXTURE_TOKEN), window.navigator.clipboard.writeText(FIXTURE_TOKEN)]);
  ctl.scanNow();
  await sleep(60);
  assert.equal(captures(sent).length, 1);
  ctl.stop();
});

// ---- a hostile page script on the broker page cannot choose what gets stored
const FORGED = 't.TBforgedByAPageScript_' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

test('forged tokenbridge:candidate events without a «Скопировать токен» click are refused', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html', { mainWorld: true });
  window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FORGED }));
  await window.navigator.clipboard.writeText(FORGED); // the page's own clipboard write, no click
  await sleep(60);
  assert.equal(captures(sent).length, 0);
  ctl.stop();
});

test('script clicks on «Скопировать токен» do not open the 2 s window', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html', { mainWorld: true, isTrusted: 'real' });
  window.document.getElementById('copy').click(); // untrusted: dispatched by a script
  window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FORGED }));
  await sleep(60);
  assert.equal(captures(sent).length, 0);
  ctl.stop();
});

test('the 2 s window after a trusted copy click closes', async () => {
  const { sent, window, ctl } = start('tinvest-copy-only.html', { mainWorld: true });
  const W = window.Date; // the page realm's Date (the content script runs there)
  const realNow = W.now;
  try {
    window.document.getElementById('copy').click();
    await until(() => captures(sent).length === 1, 2000, 'real copy captured');
    const t0 = realNow();
    W.now = () => t0 + 2500;
    window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FORGED }));
    await sleep(60);
    assert.equal(captures(sent).length, 1, 'a candidate 2.5 s after the click is refused');
  } finally { W.now = realNow; }
  ctl.stop();
});

test('untrusted copy events are ignored; a token the page itself shows is stored (by the DOM scan)', async () => {
  const { sent, window, ctl } = start('tinvest-copy-exec.html', { isTrusted: 'real' });
  const ev = new window.Event('copy', { bubbles: true });
  ev.clipboardData = { getData: () => FORGED };
  window.document.body.dispatchEvent(ev);
  await sleep(60);
  assert.equal(captures(sent).length, 0, 'synthetic copy event refused');
  const shown = window.document.createElement('input');
  shown.readOnly = true;
  shown.value = FIXTURE_TOKEN;
  window.document.getElementById('root').append(shown);
  window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FORGED + ' ' + FIXTURE_TOKEN }));
  await until(() => captures(sent).length >= 1, 2000, 'shown token captured');
  await sleep(40);
  assert.equal(captures(sent).length, 1);
  same(captures(sent)[0].secret, FIXTURE_TOKEN, 'only the token the page shows is stored');
  ctl.stop();
});

test('a page showing «Токен выпущен» and a token with no user action before it gets nothing stored, and says so', async () => {
  for (const fixture of ['tinvest-text.html', 'tinvest-input.html', 'tinvest-copy-only.html']) {
    const { sent, window, ctl, TB } = start(fixture, { onLoad: true, mainWorld: true, isTrusted: 'real' });
    await sleep(30);
    // A real click AFTER the heading appeared does not make it the user's token, nor does a copy click.
    user(window, TB.dom.findHeadingText(window.document, ['Токен выпущен'])[0]);
    const copy = window.document.querySelector('button');
    if (copy) user(window, copy);
    window.document.dispatchEvent(new window.CustomEvent('tokenbridge:candidate', { detail: FIXTURE_TOKEN }));
    ctl.scanNow();
    await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === 'error:no_user_action', 2000, fixture + ': refusal shown');
    await sleep(60);
    assert.equal(captures(sent).length, 0, fixture + ': nothing stored');
    assert.match(host(window).__tbCtl._text(), /НЕ сохранён[\s\S]*не было ваших действий[\s\S]*Добавить токен вручную/, fixture);
    ctl.stop();
  }
});

const stepsURL = (steps) => URL_TB + (steps ? '?steps=' + steps : '');
/** The user's issue flow on tinvest-steps.html, every action a user event; returns the token issued. */
async function issueOnSteps(window, steps) {
  const d = window.document;
  const fa = d.getElementById('fa');
  fa.checked = true;
  user(window, fa, 'change');
  user(window, d.getElementById('issue'));
  for (const s of steps) {
    if (s === 'confirm') { await until(() => d.getElementById('confirm'), 1000, 'dialog'); user(window, d.getElementById('confirm')); }
    if (s === 'sms') {
      await until(() => d.getElementById('code'), 1000, 'sms step');
      const code = d.getElementById('code');
      for (const k of '4821') { user(window, code, 'keydown', { key: k }); code.value += k; user(window, code, 'input'); }
    }
    if (s === 'relogin') {
      await until(() => d.getElementById('pw'), 1000, 'login step');
      const pw = d.getElementById('pw');
      for (const k of 'secret-pw') user(window, pw, 'keydown', { key: k });
      user(window, d.getElementById('login'));
    }
  }
  await until(() => d.getElementById('manage'), 2000, '«Токен выпущен»');
  return window.__issued[window.__issued.length - 1];
}

test('five tokens issued one after another in one page load (no reload) are all stored', async () => {
  const { sent, window, ctl } = start('tinvest-steps.html', { isTrusted: 'real' });
  const issued = [];
  for (let i = 0; i < 5; i++) {
    issued.push(await issueOnSteps(window, []));
    await until(() => captures(sent).length === i + 1, 2000, 'capture ' + (i + 1));
    await until(() => host(window).getAttribute('data-tokenbridge-status') === 'stored', 2000, 'stored ' + (i + 1));
    user(window, window.document.getElementById('manage')); // «Управление токенами»: back to the form
  }
  assert.equal(new Set(issued).size, 5);
  assert.equal(captures(sent).length, 5);
  captures(sent).forEach((m, i) => same(m.secret, issued[i], 'capture ' + (i + 1) + ' holds token ' + (i + 1)));
  ctl.stop();
});

for (const steps of ['confirm', 'sms', 'relogin', 'confirm,sms,relogin']) {
  test('capture still works after the bank\'s extra steps: ' + steps, async () => {
    const { sent, window, ctl } = start('tinvest-steps.html', { url: stepsURL(steps), isTrusted: 'real' });
    const tok = await issueOnSteps(window, steps.split(','));
    await until(() => captures(sent).length === 1, 2000, 'capture');
    same(captures(sent)[0].secret, tok);
    assert.equal(captures(sent)[0].kind, 'full_access', 'the choices survive the extra steps');
    ctl.stop();
  });
}

test('steps done by a script (untrusted) do not count: the last USER action must be at most 2 min before «Токен выпущен»', async () => {
  const { sent, window, ctl } = start('tinvest-steps.html', { url: stepsURL('confirm'), isTrusted: 'real' });
  const d = window.document;
  const W = window.Date;
  const realNow = W.now;
  try {
    user(window, d.getElementById('issue'));          // the user's click…
    await until(() => d.getElementById('confirm'), 1000, 'dialog');
    const t0 = realNow();
    W.now = () => t0 + 120001;                          // …more than 2 minutes ago,
    d.getElementById('confirm').click();                // and «Подтвердить» pressed by a script
    await until(() => d.getElementById('manage'), 2000, '«Токен выпущен»');
    await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === 'error:no_user_action', 2000, 'refused');
    assert.equal(captures(sent).length, 0);
  } finally { W.now = realNow; }
  ctl.stop();
});

test('an account name with emoji, ZWJ and bidi/zero-width characters is cleaned, and the token is stored', async () => {
  const { sent, window, ctl } = start('tinvest-steps.html', { isTrusted: 'real' });
  const d = window.document;
  const sel = d.getElementById('acc');
  sel.selectedIndex = 2;
  user(window, sel, 'change');
  await issueOnSteps(window, []);
  await until(() => captures(sent).length === 1, 2000, 'capture');
  const m = captures(sent)[0];
  const family = 'Семья \u{1f468}\u200d\u{1f469}\u200d\u{1f467} ИИС';
  assert.deepEqual({ ...m.scope }, { all_accounts: false, account_name: family });
  assert.equal(m.label, 'T-Invest · полный доступ · счёт «' + family + '»');
  ctl.stop();
});

test('the flood guard (capture_limit from the background) asks the user: «Сохранить этот токен» stores it', async () => {
  let n = 0;
  const { sent, window, ctl } = start('tinvest-text.html', { isTrusted: 'real', reply: (msg) => {
    if (msg.type === 'tb:capture' && !msg.confirmed) return { ok: false, error: { code: 'capture_limit', detail: 'this tab already stored 20 tokens' } };
    if (msg.type === 'tb:capture') return { ok: true, created: true, token: { id: 'tok_' + (++n), label: msg.label, kind: msg.kind } };
    return { ok: true, token: { id: 'tok_1', validation: { result: 'full_access', accounts: 1 } } };
  } });
  await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === 'error:capture_limit', 2000, 'limit shown');
  assert.match(host(window).__tbCtl._text(), /защита от потока/);
  const btn = host(window).__tbCtl._buttons().find((b) => b.textContent === 'Сохранить этот токен');
  assert.ok(btn, 'the box offers «Сохранить этот токен»');
  btn.click(); // a script's click does nothing
  await sleep(30);
  assert.equal(captures(sent).length, 1);
  user(window, btn);
  await until(() => host(window).getAttribute('data-tokenbridge-status') === 'stored', 2000, 'stored after the user confirmed');
  assert.equal(captures(sent).length, 2);
  assert.equal(captures(sent)[1].confirmed, true);
  same(captures(sent)[1].secret, FIXTURE_TOKEN);
  ctl.stop();
});

test('the box speaks the browser\'s UI language: English browser, English box', async () => {
  const { window, ctl } = start('tinvest-text.html', { locale: 'en', reply: () => ({ ok: false, error: { code: 'keyring_locked', message: 'x' } }) });
  await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === 'error:keyring_locked', 2000, 'error status');
  const text = host(window).__tbCtl._text();
  assert.match(text, /Token NOT saved\. The keyring is locked/);
  assert.doesNotMatch(text, /[А-Яа-я]{4}/, 'no Russian sentence in an English browser');
  ctl.stop();
});

// A re-login that fully reloads the page: the user's click was in the previous page load of this tab.
const priorReply = (age) => (msg) => {
  if (msg.type === 'tb:last-user-action') return { ok: true, age_ms: age };
  if (msg.type === 'tb:user-action') return { ok: true };
  if (msg.type === 'tb:capture') return { ok: true, created: true, token: { id: 'tok_1', label: msg.label, kind: msg.kind } };
  if (msg.type === 'tb:validate') return { ok: true, token: { id: 'tok_1', validation: { result: 'full_access', accounts: 1 } } };
  return { ok: false, error: { code: 'not_allowed', message: 'x' } };
};
for (const [name, age, want] of [
  ['the tab\'s last action 40 s ago (previous load): stored', 40000, 'stored'],
  ['the tab\'s last action 11 min ago: refused', 11 * 60 * 1000, 'error:no_user_action'],
  ['no action in this tab: refused', null, 'error:no_user_action'],
]) {
  test('page load showing «Токен выпущен» with no action in it: ' + name, async () => {
    const { sent, window, ctl } = start('tinvest-text.html', { onLoad: true, isTrusted: 'real', reply: priorReply(age) });
    await until(() => host(window) && host(window).getAttribute('data-tokenbridge-status') === want, 2000, want);
    assert.equal(sent.filter((m) => m.type === 'tb:last-user-action').length, 1, 'asked once per page load');
    assert.deepEqual(Object.keys(sent.find((m) => m.type === 'tb:last-user-action')), ['type'], 'the question carries nothing else');
    if (want === 'stored') same(captures(sent)[0].secret, FIXTURE_TOKEN);
    else assert.equal(captures(sent).length, 0);
    ctl.stop();
  });
}

test('a late answer about the tab\'s last action is waited for (a token seen first is not refused)', async () => {
  let answer;
  const late = new Promise((r) => { answer = r; });
  const base = priorReply(30000);
  const { sent, window, ctl } = start('tinvest-text.html', { onLoad: true, isTrusted: 'real', reply: (m) => (m.type === 'tb:last-user-action' ? late : base(m)) });
  await sleep(60);
  ctl.scanNow();
  await sleep(40);
  assert.equal(captures(sent).length, 0, 'nothing decided before the answer');
  assert.equal(host(window), null, 'no refusal shown meanwhile');
  answer({ ok: true, age_ms: 30000 });
  await until(() => captures(sent).length === 1, 2000, 'stored after the answer');
  ctl.stop();
});

test('user actions are reported to the background: trusted only, not while «Токен выпущен» is shown, at most one per second, nothing in them', async () => {
  const { sent, window, ctl, TB } = start('tinvest-steps.html', { isTrusted: 'real', reply: priorReply(null) });
  const d = window.document;
  const reports = () => sent.filter((m) => m.type === 'tb:user-action');
  await until(() => sent.some((m) => m.type === 'tb:last-user-action'), 1000, 'settings read');
  d.body.click(); // a script's click: not reported
  await sleep(20);
  assert.equal(reports().length, 0, 'an untrusted click is no user action');
  const t0 = Date.now();
  const fa = d.getElementById('fa');
  user(window, fa, 'change');
  user(window, fa, 'click');
  user(window, fa, 'keydown', { key: 'a' });
  await sleep(20);
  assert.equal(reports().length, 1, 'three actions within a second: one report');
  assert.deepEqual(Object.keys(reports()[0]), ['type'], 'the report carries nothing but the fact');
  await until(() => reports().length === 2, 2000, 'the throttled action is reported after the second');
  assert.ok(Date.now() - t0 >= 900, 'not before the second is over');
  // «Токен выпущен» shown: actions do not count, so none is reported.
  user(window, d.getElementById('issue'));
  await until(() => d.getElementById('manage') && TB.capture.isIssuedPage(d), 2000, '«Токен выпущен»');
  await sleep(1100);
  const n = reports().length;
  user(window, TB.dom.findHeadingText(d, ['Токен выпущен'])[0]);
  await sleep(1100);
  assert.equal(reports().length, n, 'a click while the heading is shown is not reported');
  ctl.stop();
});

test('pagehide sends a report still waiting for the throttle (a click that navigates away)', async () => {
  const { sent, window, ctl } = start('tinvest-steps.html', { isTrusted: 'real', reply: priorReply(null) });
  const reports = () => sent.filter((m) => m.type === 'tb:user-action');
  await until(() => sent.some((m) => m.type === 'tb:last-user-action'), 1000, 'settings read');
  const fa = window.document.getElementById('fa');
  user(window, fa, 'click');
  user(window, fa, 'click');
  await sleep(20);
  assert.equal(reports().length, 1);
  window.dispatchEvent(new window.Event('pagehide'));
  await sleep(20);
  assert.equal(reports().length, 2, 'sent on pagehide, not lost with the page');
  ctl.stop();
});
