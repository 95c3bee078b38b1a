// The capture controller's steps (lib/capture-flow.js), driven directly: no DOM, no background.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, read, CAPTURE_LIBS } from './helpers.js';

const TB = load(page('<p></p>', 'https://www.tbank.ru/invest/settings/'), CAPTURE_LIBS);
// Values made in the page's realm: compare their JSON shape.
const plain = (x) => JSON.parse(JSON.stringify(x));
const flow = TB.captureFlow;
const ok = { autocapture: true, shape: true, issued: true };

/** A state where the user acted at t=1000 and «Токен выпущен» appeared at t=5000. */
const issuedByUser = () => flow.issuedSeen(flow.userActed(flow.issuedSeen(flow.initial(), false, 0), 1000, false), true, 5000);

test('admit: each refusal has its verdict; a user-issued token is stored', () => {
  const cases = [
    ['settings off', { ...ok, autocapture: false, digest: 'a' }, 'off'],
    ['not token-shaped', { ...ok, shape: false, digest: 'a' }, 'shape'],
    ['no «Токен выпущен»', { ...ok, issued: false, digest: 'a' }, 'not_issued'],
    ['a new token', { ...ok, digest: 'a' }, 'store'],
  ];
  for (const [name, c, want] of cases) {
    const r = flow.admit(issuedByUser(), c);
    assert.equal(r.verdict, want, name);
    assert.equal(r.st.seen.size, ['store'].includes(want) ? 1 : 0, name);
  }
});

test('the user-action rule: acted while «Токен выпущен» was not shown, at most actionWindowMs before it appeared', () => {
  const W = flow.POLICY.actionWindowMs;
  assert.equal(W, 120000, 'two minutes');
  // [name, steps, want]; a step is ['act', now, headingShownAtThatMoment] or ['look', shown, now]
  const cases = [
    ['no action at all (a forged page)', [['look', true, 100]], 'no_action'],
    ['heading on load, the user clicks afterwards', [['look', true, 100], ['act', 200, true]], 'no_action'],
    ['click, then the heading', [['act', 100, false], ['look', true, 900]], 'store'],
    ['click exactly actionWindowMs before', [['act', 100, false], ['look', true, 100 + W]], 'store'],
    ['click longer ago than the window', [['act', 100, false], ['look', true, 101 + W]], 'no_action'],
    ['SMS code typed: the last key counts', [['act', 100, false], ['act', 100 + W, false], ['look', true, 200 + W]], 'store'],
    ['heading gone and back without an action', [['act', 100, false], ['look', true, 900], ['look', false, 1000], ['look', true, 2000 + W]], 'no_action'],
    ['a heading still shown keeps its start', [['act', 100, false], ['look', true, 900], ['look', true, 900 + 2 * W]], 'store'],
  ];
  for (const [name, steps, want] of cases) {
    let st = flow.initial();
    for (const s of steps) st = s[0] === 'act' ? flow.userActed(st, s[1], s[2]) : flow.issuedSeen(st, s[1], s[2]);
    assert.equal(flow.admit(st, { ...ok, digest: 'a' }).verdict, want, name);
  }
});

test('across page loads: the tab\'s last action (from the background) admits «Токен выпущен» within crossLoadWindowMs', () => {
  const W = flow.POLICY.actionWindowMs;
  const X = flow.POLICY.crossLoadWindowMs;
  assert.equal(X, 600000, 'ten minutes across loads (a slow re-login with an SMS code)');
  const loaded = 1000000; // this page load began here
  // [name, steps, want]; a step is ['prior', at] (the background's answer, at = now - age),
  // ['act', now, shown] (this load) or ['look', shown, now]
  const cases = [
    ['re-login reload: the click was in the previous load, heading right after the reload', [['prior', loaded - 30000], ['look', true, loaded + 200]], 'store'],
    ['slow re-login: heading exactly crossLoadWindowMs after the click', [['prior', loaded - 60000], ['look', true, loaded - 60000 + X]], 'store'],
    ['outside the window: one ms later', [['prior', loaded - 60000], ['look', true, loaded - 60000 + X + 1]], 'no_action'],
    ['no action in this tab (the background has none): a forged page', [['prior', null], ['look', true, loaded + 200]], 'no_action'],
    ['an answer that is no time', [['prior', NaN], ['look', true, loaded + 200]], 'no_action'],
    ['an "earlier" action at or after this load began is not an earlier load\'s', [['prior', loaded], ['look', true, loaded + 200]], 'no_action'],
    ['an earlier load\'s action never widens this load\'s own rule past it', [['prior', loaded - X - 5], ['act', loaded + 10, false], ['look', true, loaded + 11 + W]], 'no_action'],
    ['this load\'s own action still counts beside it', [['prior', loaded - X - 5], ['act', loaded + 10, false], ['look', true, loaded + 10 + W]], 'store'],
    ['the heading was already shown when the prior answer came', [['look', true, loaded + 50], ['prior', loaded - 1000]], 'store'],
  ];
  for (const [name, steps, want] of cases) {
    let st = flow.initial();
    for (const s of steps) {
      if (s[0] === 'prior') st = flow.priorAction(st, s[1], loaded);
      else if (s[0] === 'act') st = flow.userActed(st, s[1], s[2]);
      else st = flow.issuedSeen(st, s[1], s[2]);
    }
    assert.equal(flow.admit(st, { ...ok, digest: 'a' }).verdict, want, name);
  }
  // The within-one-load window is unchanged by the cross-load rule.
  assert.equal(flow.admit(flow.issuedSeen(flow.userActed(flow.initial(), 0, false), true, W + 1), { ...ok, digest: 'a' }).verdict, 'no_action');
});

test('reports of user actions are throttled to one per reportEveryMs; a held or throttled one is sent later, or on pagehide', () => {
  const E = flow.POLICY.reportEveryMs;
  assert.equal(E, 1000, 'one tb:user-action per second at most');
  let st = flow.initial();
  let r = flow.reportAction(st, 5000);
  assert.equal(r.send, true, 'the first action is reported at once');
  st = r.st;
  r = flow.reportAction(st, 5000 + E - 1);
  assert.deepEqual([r.send, r.inMs, r.st.reportPending], [false, 1, true], 'the next within a second waits for the rest of it');
  st = r.st;
  assert.equal(flow.reportAction(st, 5000 + E - 1).st, st, 'more actions meanwhile change nothing: one report pending');
  assert.equal(flow.reportDue(st, 5000 + E - 1).send, false, 'the timer fired early: still waiting');
  r = flow.reportDue(st, 5000 + E);
  assert.deepEqual([r.send, r.st.reportPending, r.st.reportedAt], [true, false, 5000 + E], 'the pending one goes out a second after the last');
  assert.equal(flow.reportDue(r.st, 9000).send, false, 'nothing pending: nothing sent');
  // pagehide (a click that navigates away): the pending report is sent at once, throttle or not.
  const pending = flow.reportAction(flow.reportAction(flow.initial(), 100).st, 200).st;
  assert.equal(flow.reportDue(pending, 250, true).send, true);
  // Held until the settings are read: pending, then sent by reportDue.
  const held = flow.reportAction(flow.initial(), 100, true);
  assert.deepEqual([held.send, held.st.reportPending], [false, true]);
  assert.equal(flow.reportDue(held.st, 150).send, true);
});

test('admit: five tokens issued one after another in one page load are all stored; the same token twice once', () => {
  let st = flow.initial();
  const verdicts = [];
  let now = 0;
  for (const digest of ['a', 'b', 'c', 'd', 'e']) {
    st = flow.issuedSeen(st, false, now += 1000);          // back on the form
    st = flow.userActed(st, now += 1000, false);           // «Выпустить токен»
    st = flow.issuedSeen(st, true, now += 500);            // «Токен выпущен»
    for (const d of [digest, digest]) { const r = flow.admit(st, { ...ok, digest: d }); st = r.st; verdicts.push(r.verdict); }
  }
  assert.deepEqual(verdicts, ['store', 'seen', 'store', 'seen', 'store', 'seen', 'store', 'seen', 'store', 'seen']);
  assert.equal(flow.POLICY.maxStores, undefined, 'no count cap per page load');
});

test('a refused token is shown once (no_action, then seen)', () => {
  const st0 = flow.issuedSeen(flow.initial(), true, 100);
  const r = flow.admit(st0, { ...ok, digest: 'a' });
  assert.equal(r.verdict, 'no_action');
  assert.equal(flow.admit(r.st, { ...ok, digest: 'a' }).verdict, 'seen');
  const v = flow.noActionView();
  assert.equal(v.status, 'error:no_user_action');
  assert.match(v.lines[0], /^Токен НЕ сохранён\. перед появлением «Токен выпущен» на этой вкладке не было ваших действий/);
  assert.match(v.lines[0], /Добавить токен вручную/, 'says how to keep the token');
});

test('admit and the other steps do not change the state they were given', () => {
  const st = issuedByUser();
  flow.admit(st, { ...ok, digest: 'a' });
  flow.userActed(st, 9000, false);
  flow.issuedSeen(st, false, 9000);
  assert.equal(st.seen.size, 0);
  assert.equal(st.actionAt, 1000);
  assert.equal(st.issuedAt, 5000);
});

test('page events count only within copyWindowMs after the user\'s copy click', () => {
  const st0 = flow.initial();
  assert.equal(flow.eventCounts(st0, 1000), false, 'no click yet');
  const st = flow.copyClicked(st0, 10000);
  for (const [now, want] of [[10000, true], [12000, true], [12001, false]]) assert.equal(flow.eventCounts(st, now), want, String(now));
});

test('withChoices keeps a known kind while the form is torn down, and takes a new scope only if it says something', () => {
  let st = flow.initial();
  st = flow.withChoices(st, { kind: 'full_access', scope: { all_accounts: true, account_name: '' } });
  st = flow.withChoices(st, { kind: 'unknown', scope: { all_accounts: false, account_name: '' } });
  assert.deepEqual(plain(st.choices), { kind: 'full_access', scope: { all_accounts: true, account_name: '' } });
  st = flow.withChoices(st, { kind: 'readonly', scope: { all_accounts: false, account_name: 'ИИС' } });
  assert.deepEqual(plain(st.choices), { kind: 'readonly', scope: { all_accounts: false, account_name: 'ИИС' } });
});

test('storeRequest carries the choices and the Russian label', () => {
  const st = flow.withChoices(flow.initial(), { kind: 'full_access', scope: { all_accounts: true } });
  const req = flow.storeRequest(st, 'SECRET');
  assert.equal(req.type, 'tb:capture');
  assert.equal(req.kind, 'full_access');
  assert.deepEqual(plain(req.scope), { all_accounts: true, account_name: '' });
  assert.equal(req.label, 'T-Invest · полный доступ · все счета');
  assert.equal(req.confirmed, undefined);
  assert.equal(flow.storeRequest(st, 'SECRET', true).confirmed, true, 'confirmed only after the user pressed «Сохранить этот токен»');
});

test('storeRequest: account names with emoji, ZWJ and format characters are cleaned, never a failed capture', () => {
  const family = 'Семья \u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
  const cases = [
    ['emoji kept', 'ИИС 🚀', 'ИИС 🚀', 'T-Invest · полный доступ · счёт «ИИС 🚀»'],
    ['ZWJ family kept', family, family, 'T-Invest · полный доступ · счёт «' + family + '»'],
    ['bidi and zero-width dropped', '\u202eИИС\u200b\u2066', 'ИИС', 'T-Invest · полный доступ · счёт «ИИС»'],
    ['invisible only: the name is dropped', '\u200b\u200d\ufeff', '', 'T-Invest · полный доступ'],
    ['long name with emoji: 100 characters, no half emoji', '🚀'.repeat(120), '🚀'.repeat(100), null],
  ];
  for (const [name, account, wantName, wantLabel] of cases) {
    const st = flow.withChoices(flow.initial(), { kind: 'full_access', scope: { all_accounts: false, account_name: account } });
    const req = flow.storeRequest(st, 'SECRET');
    assert.equal(req.scope.account_name, wantName, name);
    if (wantLabel) assert.equal(req.label, wantLabel, name);
    assert.ok(Array.from(req.label).length <= 100, name + ': label at most 100 characters');
    assert.doesNotMatch(req.label, /[\ud800-\udfff](?![\udc00-\udfff])/u, name + ': no lone surrogate');
    assert.equal(TB.label.clean(req.label), req.label, name + ': the label is already clean (the host accepts it)');
  }
});

test('the label rule: every case of the shared fixture (the host test reads the same file)', () => {
  const fx = JSON.parse(read('test/fixtures/labels.json'));
  assert.ok(fx.cases.length >= 15);
  for (const c of fx.cases) {
    assert.equal(TB.label.clean(c.raw), c.clean, c.name);
    assert.equal(TB.label.visible(c.clean), c.visible, c.name + ' (visible)');
    assert.equal(TB.label.usable(c.raw), c.visible ? c.clean : '', c.name + ' (usable)');
  }
});

test('storedView: stored, already stored, and a failure with its advice and a retry', () => {
  const req = { label: 'L', kind: 'full_access' };
  const stored = flow.storedView(req, { ok: true, created: true, token: { id: 'tok_1', label: 'Мой' } });
  assert.equal(stored.status, 'stored');
  assert.equal(stored.validate, 'tok_1');
  assert.match(stored.lines[0], /Токен сохранён в связке ключей: Мой \(полный доступ\)/);
  assert.match(flow.storedView(req, { ok: true, created: false, token: { id: 'x' } }).lines[0], /уже сохранён: L/);
  const failed = flow.storedView(req, { ok: false, error: { code: 'keyring_locked', message: 'locked' } });
  assert.equal(failed.status, 'error:keyring_locked');
  assert.equal(failed.retry, true);
  assert.match(failed.lines[0], /^Токен НЕ сохранён\. Связка ключей заблокирована/);
  assert.equal(flow.storedView(req, null).status, 'error:extension_error', 'no answer at all');
  assert.equal(failed.confirm, undefined);
  const flood = flow.storedView(req, { ok: false, error: { code: 'capture_limit', detail: 'x' } });
  assert.equal(flood.status, 'error:capture_limit');
  assert.equal(flood.confirm, true, 'the flood guard asks the user (button «Сохранить этот токен»)');
  assert.match(flood.lines[0], /Сохранить этот токен/);
});

test('verdictView: each host verdict, an unknown one, and a failed check', () => {
  const cases = [
    ['full_access', 'full_access', 'ok', /полный доступ, счетов: 2/],
    ['readonly', 'readonly', 'warn', /только чтение/],
    ['sandbox', 'sandbox', 'warn', /песочницы/],
    ['invalid', 'invalid', 'warn', /недействителен/],
    ['no_access', 'no_access', 'warn', /нет доступа ни к одному счёту/],
    ['something new', 'upstream', 'warn', /сервер T-Invest недоступен/],
  ];
  for (const [result, verdict, tone, re] of cases) {
    const v = flow.verdictView({ ok: true, token: { validation: { result, accounts: 2 } } });
    assert.equal(v.verdict, verdict, result);
    assert.equal(v.tone, tone, result);
    assert.match(v.line, re, result);
  }
  const cert = flow.verdictView({ ok: true, token: { validation: { result: 'upstream', code: 'certificate', message: 'invest-public-api.tbank.ru presented a certificate from "Russian Trusted Sub CA"' } } });
  assert.equal(cert.verdict, 'upstream');
  assert.match(cert.line, /^Проверка не удалась\. Сертификат сервера не принят: invest-public-api\.tbank\.ru presented a certificate from "Russian Trusted Sub CA"/);
  const e = flow.verdictView({ ok: false, error: { code: 'host_timeout', message: '"validate" got no answer within 60 s' } });
  assert.equal(e.verdict, 'error:host_timeout');
  assert.match(e.line, /не ответила вовремя \("validate" got no answer within 60 s\)/);
});
