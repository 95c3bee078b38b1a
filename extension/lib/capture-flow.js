// tokenbridge: the capture controller's state and its steps (no DOM writes, no messaging). The broker
// content script (content/tinvest.js) keeps only the observers and the wiring: it reads the page,
// calls these steps, sends what they ask for and shows the views they return. Unit tests drive the
// steps directly (test/unit/capture-flow.test.js).
//
// State (one plain object, replaced by each step; see initial()):
//   choices      the user's issue-form choices {kind, scope} last read (kept while the form is torn down)
//   seen         digests of tokens already handled on this page load (never the tokens)
//   stores       tokens sent to the background from this page load
//   copyClickAt  when the user last clicked «Скопировать токен» with a trusted click
//   policy       the limits below (a later change may set maxStores: Infinity, it needs no other edit)
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('captureFlow', (TB) => {
  'use strict';
  const POLICY = Object.freeze({
    copyWindowMs: 2000, // a clipboard candidate must follow a trusted «Скопировать токен» click
    maxStores: 2,       // tokens stored per page load
  });
  const VERDICTS = ['full_access', 'readonly', 'sandbox', 'invalid', 'upstream'];

  function initial(policy) {
    return {
      choices: { kind: 'unknown', scope: { all_accounts: false, account_name: '' } },
      seen: new Set(), stores: 0, copyClickAt: -Infinity,
      policy: Object.freeze(Object.assign({}, POLICY, policy || {})),
    };
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
   * Decide about one token candidate. c: {shape, issued, autocapture, digest}. Returns {st, verdict}:
   * 'off' | 'shape' | 'not_issued' | 'seen' | 'limit' | 'store' (only 'store' sends anything).
   */
  function admit(st, c) {
    if (!c.autocapture) return { st, verdict: 'off' };
    if (!c.shape) return { st, verdict: 'shape' };
    if (!c.issued) return { st, verdict: 'not_issued' };
    if (st.seen.has(c.digest)) return { st, verdict: 'seen' };
    const seen = new Set(st.seen).add(c.digest);
    // A page that keeps producing "new tokens" cannot fill the keyring.
    if (st.stores >= st.policy.maxStores) return { st: Object.assign({}, st, { seen }), verdict: 'limit' };
    return { st: Object.assign({}, st, { seen, stores: st.stores + 1 }), verdict: 'store' };
  }

  /** The tb:capture message for a candidate under the current choices. */
  function storeRequest(st, secret) {
    const kind = st.choices.kind;
    const scope = { all_accounts: !!st.choices.scope.all_accounts, account_name: st.choices.scope.account_name || '' };
    return { type: 'tb:capture', secret, kind, scope, label: TB.strings.buildLabel(kind, scope) };
  }

  // Views: what the box shows. {status, lines, tone, retry?, validate?}
  function errorStatus(err) { return 'error:' + TB.errors.codeOf(err); }
  function savingView() { return { status: 'saving', lines: [TB.strings.t('box_saving')], tone: 'info' }; }
  function limitView() {
    const err = { code: 'capture_limit' };
    return { status: errorStatus(err), lines: [TB.strings.t('box_not_saved', [TB.errors.message(err)])], tone: 'err' };
  }

  /** The view after the background answered tb:capture (req: the request that was sent). */
  function storedView(req, res) {
    if (!res || !res.ok) {
      const err = TB.errors.fromReply(res);
      return { status: errorStatus(err), lines: [TB.strings.t('box_not_saved', [TB.errors.message(err)])], tone: 'err', retry: true };
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
      return { verdict, line: TB.strings.t('box_verdict_' + verdict, [String(Number(v.accounts) || 0)]), tone: verdict === 'full_access' ? 'ok' : 'warn' };
    }
    const err = TB.errors.fromReply(res);
    return { verdict: errorStatus(err), line: TB.strings.t('box_verdict_error', [TB.errors.message(err)]), tone: 'warn' };
  }

  return { POLICY, initial, withChoices, copyClicked, eventCounts, admit, storeRequest, savingView, limitView, storedView, verdictView };
});
