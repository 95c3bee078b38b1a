// tokenbridge: the capture controller's state and its steps (no DOM writes, no messaging). The broker
// content script (content/tinvest.js) keeps only the observers and the wiring: it reads the page,
// calls these steps, sends what they ask for and shows the views they return. Unit tests drive the
// steps directly (test/unit/capture-flow.test.js).
//
// What separates the user from a hostile page script: a token is stored only when the user really
// acted in this page (a trusted click, key press or typed input: `event.isTrusted`) while «Токен
// выпущен» was NOT shown, at most `actionWindowMs` before the heading appeared. Issuing always takes
// such an action («Выпустить токен», «Подтвердить», an SMS code typed, a password for a re-login); a
// script can render the heading and a token, but it cannot make a trusted event, and actions taken
// while the heading is already shown do not count. There is no count per page: five tokens issued one
// after another are five stored tokens (the background keeps a generous flood limit, see handlers.js).
//
// Across page loads: the bank may insert a re-login that fully reloads the page between «Выпустить
// токен» and «Токен выпущен» (a redirect to its login and back). The trusted click was then in the
// previous page load. Every counted action is therefore also reported to the background (tb:user-action,
// no content, at most one per `reportEveryMs`; the background stamps the time and keys it by the sender's
// tab and bank origin, from `sender` only). A new page load asks once for its tab's last action
// (tb:last-user-action → its age) and admits a showing of «Токен выпущен» that began at most
// `crossLoadWindowMs` (10 min: a slow re-login with an SMS code) after that action. Within one load the
// window stays `actionWindowMs` (2 min). A tab with no real action on this bank origin in the last 10
// minutes still gets nothing stored.
//
// State (one plain object, replaced by each step; see initial()):
//   choices      the user's issue-form choices {kind, scope} last read (kept while the form is torn down)
//   seen         digests of tokens already handled on this page load (never the tokens)
//   actionAt     when the user last acted (trusted event) while «Токен выпущен» was not shown
//   priorActionAt  the same, from an earlier page load in this tab and origin (the background's answer)
//   reportedAt   when the last tb:user-action was sent; reportPending: an action waits for the throttle
//   issuedAt     when «Токен выпущен» was first seen in the current showing (null while it is not shown)
//   copyClickAt  when the user last clicked «Скопировать токен» with a trusted click
//   policy       the rules below
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('captureFlow', (TB) => {
  'use strict';
  const POLICY = Object.freeze({
    copyWindowMs: 2000,       // a clipboard candidate must follow a trusted «Скопировать токен» click
    actionWindowMs: 120000,   // «Токен выпущен» must appear at most 2 min after the user's last action
    crossLoadWindowMs: 600000, // … or at most 10 min after the last one in an earlier load of this tab
    reportEveryMs: 1000,      // at most one tb:user-action per second
  });
  const VERDICTS = ['full_access', 'readonly', 'sandbox', 'no_access', 'invalid', 'upstream'];

  function initial(policy) {
    return {
      choices: { kind: 'unknown', scope: { all_accounts: false, account_name: '' } },
      seen: new Set(), actionAt: -Infinity, issuedAt: null, copyClickAt: -Infinity,
      priorActionAt: -Infinity, reportedAt: -Infinity, reportPending: false,
      policy: Object.freeze(Object.assign({}, POLICY, policy || {})),
    };
  }

  /** A trusted user action at `now`; it counts only while «Токен выпущен» is not shown (issuedShown). */
  function userActed(st, now, issuedShown) {
    return issuedShown ? st : Object.assign({}, st, { actionAt: now });
  }

  /** A look at the page at `now`: is «Токен выпущен» shown? Starts or ends a showing. */
  function issuedSeen(st, shown, now) {
    if (shown) return st.issuedAt === null ? Object.assign({}, st, { issuedAt: now }) : st;
    return st.issuedAt === null ? st : Object.assign({}, st, { issuedAt: null });
  }

  /**
   * The background's answer to tb:last-user-action: this tab's last action on this origin was at `at`
   * (this page's clock: now − the age the background reported). Only an action from before this page
   * load began (`loadedAt`) is an earlier load's; anything else (no answer, NaN, this load's own
   * reports) changes nothing.
   */
  function priorAction(st, at, loadedAt) {
    if (typeof at !== 'number' || !Number.isFinite(at) || !(at < loadedAt)) return st;
    return Object.assign({}, st, { priorActionAt: Math.max(st.priorActionAt, at) });
  }

  /**
   * True when the user acted shortly before the current showing of «Токен выпущен» began: in this
   * page load within actionWindowMs, or in an earlier load of this tab within crossLoadWindowMs.
   */
  function userIssued(st) {
    if (st.issuedAt === null) return false;
    const within = (at, ms) => at <= st.issuedAt && st.issuedAt - at <= ms;
    return within(st.actionAt, st.policy.actionWindowMs) || within(st.priorActionAt, st.policy.crossLoadWindowMs);
  }

  /**
   * A counted user action (userActed while «Токен выпущен» was not shown) to report to the background,
   * throttled: {st, send, inMs} — send now, or else it is pending and reportDue(st, now) sends it later
   * (the content script sets one timer for `inMs`, and flushes on pagehide). `hold`: keep it pending
   * (the settings are not read yet).
   */
  function reportAction(st, now, hold) {
    const inMs = st.reportedAt + st.policy.reportEveryMs - now;
    if (inMs <= 0 && !hold) return { st: Object.assign({}, st, { reportedAt: now, reportPending: false }), send: true, inMs: 0 };
    return { st: st.reportPending ? st : Object.assign({}, st, { reportPending: true }), send: false, inMs: Math.max(0, inMs) };
  }

  /** The throttle's timer (or pagehide, `force`): send the pending report now? */
  function reportDue(st, now, force) {
    if (!st.reportPending) return { st, send: false, inMs: 0 };
    if (force) return { st: Object.assign({}, st, { reportedAt: now, reportPending: false }), send: true, inMs: 0 };
    return reportAction(st, now);
  }

  /** New choices from a read of the issue form: keep a known kind if the form reads as unknown. */
  function withChoices(st, read) {
    if (!read) return st;
    const kind = read.kind !== 'unknown' || st.choices.kind === 'unknown' ? read.kind : st.choices.kind;
    const scope = read.scope && (read.scope.all_accounts || read.scope.account_name) ? read.scope : st.choices.scope;
    return Object.assign({}, st, { choices: { kind, scope } });
  }

  /** A trusted click on «Скопировать токен» at `now`. */
  function copyClicked(st, now) { return Object.assign({}, st, { copyClickAt: now }); }

  /** Page events (clipboard hand-off, copy event) count only right after the user's copy click. */
  function eventCounts(st, now) { return now - st.copyClickAt <= st.policy.copyWindowMs; }

  /**
   * Decide about one token candidate (after issuedSeen for this look). c: {shape, issued, autocapture,
   * digest}. Returns {st, verdict}: 'off' | 'shape' | 'not_issued' | 'seen' | 'no_action' | 'store'
   * (only 'store' sends anything; 'no_action' is shown once per token).
   */
  function admit(st, c) {
    if (!c.autocapture) return { st, verdict: 'off' };
    if (!c.shape) return { st, verdict: 'shape' };
    if (!c.issued) return { st, verdict: 'not_issued' };
    if (st.seen.has(c.digest)) return { st, verdict: 'seen' };
    const next = Object.assign({}, st, { seen: new Set(st.seen).add(c.digest) });
    return { st: next, verdict: userIssued(st) ? 'store' : 'no_action' };
  }

  /**
   * The tb:capture message for a candidate under the current choices. Account names are cleaned for
   * display (lib/label.js); one with nothing visible left is dropped, never a reason to lose the token.
   * `confirmed`: the user pressed «Сохранить этот токен» in our box (past the background's flood limit).
   */
  function storeRequest(st, secret, confirmed) {
    const kind = st.choices.kind;
    const name = st.choices.scope.all_accounts ? '' : TB.label.usable(st.choices.scope.account_name || '');
    const scope = { all_accounts: !!st.choices.scope.all_accounts, account_name: name };
    const req = { type: 'tb:capture', secret, kind, scope, label: TB.label.clean(TB.strings.buildLabel(kind, scope)) };
    if (confirmed) req.confirmed = true;
    return req;
  }

  // Views: what the box shows. {status, lines, tone, retry?, validate?}
  function errorStatus(err) { return 'error:' + TB.errors.codeOf(err); }
  function savingView() { return { status: 'saving', lines: [TB.strings.t('box_saving')], tone: 'info' }; }
  /** No user action before «Токен выпущен»: nothing stored, and the user is told how to keep it. */
  function noActionView() {
    const err = { code: 'no_user_action' };
    return { status: errorStatus(err), lines: [TB.strings.t('box_not_saved', [TB.errors.message(err)])], tone: 'warn' };
  }

  /** The view after the background answered tb:capture (req: the request that was sent). */
  function storedView(req, res) {
    if (!res || !res.ok) {
      const err = TB.errors.fromReply(res);
      const v = { status: errorStatus(err), lines: [TB.strings.t('box_not_saved', [TB.errors.message(err)])], tone: 'err', retry: true };
      // The flood limit asks the user instead of dropping the token: one trusted click stores it.
      if (err.code === 'capture_limit') v.confirm = true;
      return v;
    }
    const t = res.token || {};
    const line = TB.strings.t(res.created === false ? 'box_already' : 'box_stored', [t.label || req.label, TB.strings.kindText(t.kind || req.kind)]);
    if (!t.id) return { status: 'stored', lines: [line], tone: 'ok' };
    return { status: 'stored', lines: [line, TB.strings.t('box_checking')], tone: 'ok', validate: t.id, storedLine: line };
  }

  /** The verdict line after tb:validate: {verdict, line, tone}. */
  function verdictView(res) {
    if (res && res.ok && res.token && res.token.validation) {
      const v = res.token.validation;
      const verdict = VERDICTS.includes(v.result) ? v.result : 'upstream';
      // No verdict because the API's certificate is not trusted: the host's message names host, issuer and fix.
      if (verdict === 'upstream' && v.code === 'certificate') {
        return { verdict, line: TB.strings.t('box_verdict_error', [TB.errors.message({ code: 'certificate', detail: v.message })]), tone: 'warn' };
      }
      return { verdict, line: TB.strings.t('box_verdict_' + verdict, [String(Number(v.accounts) || 0)]), tone: verdict === 'full_access' ? 'ok' : 'warn' };
    }
    const err = TB.errors.fromReply(res);
    return { verdict: errorStatus(err), line: TB.strings.t('box_verdict_error', [TB.errors.message(err)]), tone: 'warn' };
  }

  return { POLICY, initial, userActed, issuedSeen, priorAction, userIssued, reportAction, reportDue, withChoices, copyClicked, eventCounts, admit, storeRequest, savingView, noActionView, storedView, verdictView };
});
