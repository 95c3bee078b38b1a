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
// State (one plain object, replaced by each step; see initial()):
//   choices      the user's issue-form choices {kind, scope} last read (kept while the form is torn down)
//   seen         digests of tokens already handled on this page load (never the tokens)
//   actionAt     when the user last acted (trusted event) while «Токен выпущен» was not shown
//   issuedAt     when «Токен выпущен» was first seen in the current showing (null while it is not shown)
//   copyClickAt  when the user last clicked «Скопировать токен» with a trusted click
//   policy       the rules below
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('captureFlow', (TB) => {
  'use strict';
  const POLICY = Object.freeze({
    copyWindowMs: 2000,       // a clipboard candidate must follow a trusted «Скопировать токен» click
    actionWindowMs: 120000,   // «Токен выпущен» must appear at most 2 min after the user's last action
  });
  const VERDICTS = ['full_access', 'readonly', 'sandbox', 'no_access', 'invalid', 'upstream'];

  function initial(policy) {
    return {
      choices: { kind: 'unknown', scope: { all_accounts: false, account_name: '' } },
      seen: new Set(), actionAt: -Infinity, issuedAt: null, copyClickAt: -Infinity,
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

  /** True when the user acted shortly before the current showing of «Токен выпущен» began. */
  function userIssued(st) {
    return st.issuedAt !== null && st.actionAt <= st.issuedAt && st.issuedAt - st.actionAt <= st.policy.actionWindowMs;
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

  return { POLICY, initial, userActed, issuedSeen, userIssued, withChoices, copyClicked, eventCounts, admit, storeRequest, savingView, noActionView, storedView, verdictView };
});
