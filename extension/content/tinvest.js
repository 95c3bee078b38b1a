// tokenbridge content script (isolated world) on https://www.tbank.ru/invest/settings/* and
// https://www.tinkoff.ru/invest/settings/*: captures the token once «Токен выпущен» is shown and asks
// the background to store it through the host. Page events are only ever token CANDIDATES: they must
// have the token shape, the page must show «Токен выпущен», and the user must have clicked «Скопировать
// токен» (a TRUSTED click) within the last 2 s; a token the page keeps showing is found by the DOM scan. At most
// MAX_STORES tokens are stored per page load. Page events release nothing.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('capturePage', (TB) => {
  'use strict';
  const COPY_WINDOW_MS = 2000; // a clipboard candidate must follow a trusted «Скопировать токен» click
  const MAX_STORES = 2;        // tokens stored per page load

  /**
   * Start capturing in document d. env: {doc, send(msg) -> Promise(reply), getSettings() -> Promise(obj),
   * onSettings(fn)?, pollMs?, debounceMs?, isTrusted(ev)?}. Returns a controller (stop, scanNow, offer)
   * used by tests. isTrusted defaults to the browser's ev.isTrusted (unit tests inject their own).
   */
  function start(env) {
    const d = env.doc;
    const send = env.send;
    let choices = { kind: 'unknown', scope: { all_accounts: false, account_name: '' } };
    const seen = new Set(); // SHA-256 of tokens already handled on this page
    const observed = new WeakSet();
    let box = null;
    let stopped = false;
    const trusted = TB.core.trustedRule(env);
    let copyClickAt = -Infinity; // when the user last clicked «Скопировать токен» (trusted clicks only)
    let stores = 0;              // tokens sent to the background from this page load

    const settings = TB.core.watchSettings(env, () => scanNow());

    function snapshotChoices() {
      try {
        if (TB.capture.isIssueForm(d)) {
          const c = TB.capture.readIssueChoices(d);
          // Keep a known value if the form is being torn down and reads as unknown.
          if (c.kind !== 'unknown' || choices.kind === 'unknown') choices.kind = c.kind;
          if (c.scope.all_accounts || c.scope.account_name) choices.scope = c.scope;
        }
      } catch (_) { /* never break the page */ }
    }

    function errorLines(err) {
      const code = err && err.code;
      if (code === 'host_missing') return [TB.strings.tr('err_host_missing')];
      if (code === 'host_forbidden') return [TB.strings.tr('err_host_forbidden', [env.extensionId || '<id>'])];
      if (code === 'keyring_locked') return [TB.strings.tr('err_keyring_locked')];
      if (code === 'keyring_unavailable') return [TB.strings.tr('err_keyring_unavailable')];
      if (code === 'keyring_timeout') return [TB.strings.tr('err_keyring_timeout')];
      if (code === 'capture_limit') return [TB.strings.tr('err_capture_limit')];
      const m = (err && err.message ? String(err.message) : 'unknown error').slice(0, 300);
      return [TB.strings.tr('err_generic', [m])];
    }

    // Offers are serialized so two sightings of the same token at once (DOM + clipboard) store it once.
    let queue = Promise.resolve();
    function offer(candidate) {
      const p = queue.then(() => offerOne(candidate));
      queue = p.catch(() => {});
      return p;
    }

    async function offerOne(candidate) {
      if (stopped || !settings().autocapture) return 'off';
      if (!TB.token.isTokenShape(candidate)) return 'shape';
      if (!TB.capture.isIssuedPage(d)) return 'not_issued';
      const h = await TB.token.digest(candidate);
      if (seen.has(h)) return 'seen';
      seen.add(h);
      if (stores >= MAX_STORES) {
        // A page that keeps producing "new tokens" cannot fill the keyring.
        box = box || TB.ui.createBox(d, 'capture', { isTrusted: trusted });
        box.set('error:capture_limit', [TB.strings.tr('err_capture_limit')], 'err');
        return 'limit';
      }
      stores++;
      return storeToken(candidate, h);
    }

    async function storeToken(candidate, h) {
      box = box || TB.ui.createBox(d, 'capture', { isTrusted: trusted });
      box.set('saving', [TB.strings.tr('saving')], 'info');
      box.setAttr('validation', 'none');
      const kind = choices.kind;
      const scope = { all_accounts: !!choices.scope.all_accounts, account_name: choices.scope.account_name || '' };
      const label = TB.strings.buildLabel(kind, scope);
      let res;
      try {
        res = await send({ type: 'tb:capture', secret: candidate, kind, scope, label });
      } catch (e) {
        res = { ok: false, error: { code: 'extension_error', message: 'the extension background did not answer: ' + (e && e.message ? e.message : 'unknown') } };
      }
      if (!res || !res.ok) {
        const err = (res && res.error) || { code: 'extension_error', message: 'no answer' };
        box.set('error:' + String(err.code || 'unknown').replace(/[^a-z_]/g, ''), errorLines(err), 'err');
        box.button('Повторить / Retry', () => { storeToken(candidate, h); });
        return 'error';
      }
      const t = res.token || {};
      const shownLabel = t.label || label;
      const kt = TB.strings.kindText(t.kind || kind);
      const key = res.created === false ? 'already' : 'stored';
      const storedLine = [TB.strings.tr(key, [shownLabel, kt[0]])[0], TB.strings.tr(key, [shownLabel, kt[1]])[1]];
      box.set('stored', [storedLine, TB.strings.tr('checking')], 'ok');
      if (t.id) validate(t.id, storedLine);
      else box.set('stored', [storedLine], 'ok');
      return 'stored';
    }

    async function validate(id, storedLine) {
      box.setAttr('validation', 'checking');
      let res;
      try { res = await send({ type: 'tb:validate', token_id: id }); } catch (e) { res = { ok: false, error: { code: 'extension_error', message: String(e && e.message) } }; }
      let verdict;
      let line;
      if (res && res.ok && res.token && res.token.validation) {
        const v = res.token.validation;
        verdict = ['full_access', 'readonly', 'sandbox', 'invalid', 'upstream'].includes(v.result) ? v.result : 'upstream';
        line = TB.strings.tr('verdict_' + verdict, [String(Number(v.accounts) || 0)]);
      } else {
        const err = (res && res.error) || { code: 'unknown', message: 'no answer' };
        verdict = 'error:' + String(err.code || 'unknown').replace(/[^a-z_]/g, '');
        line = TB.strings.tr('verdict_error', [String(err.message || err.code).slice(0, 200)]);
      }
      box.set(box.host.getAttribute('data-tokenbridge-status'), [storedLine, line], verdict === 'full_access' ? 'ok' : 'warn');
      box.setAttr('validation', verdict);
    }

    function scanNow() {
      if (stopped) return;
      snapshotChoices();
      if (!settings().autocapture) return;
      if (!TB.capture.isIssuedPage(d)) return;
      const tok = TB.capture.findTokenOnPage(d);
      if (tok) offer(tok);
      for (const sr of TB.dom.openShadowRoots(d)) {
        if (!observed.has(sr)) { observed.add(sr); mo.observe(sr, MO_OPTS); }
      }
    }
    const schedule = TB.dom.debounce(scanNow, env.debounceMs == null ? 150 : env.debounceMs);

    const MO_OPTS = { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ['value', 'checked', 'aria-checked', 'aria-pressed', 'aria-selected', 'hidden', 'style', 'data-clipboard-text'] };
    const view = d.defaultView;
    const MO = globalThis.MutationObserver || view.MutationObserver;
    const mo = new MO(schedule);
    mo.observe(d, MO_OPTS);

    const onClick = (ev) => {
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (t && t.nodeType === 1 && trusted(ev) && TB.capture.isCopyClick(t)) copyClickAt = Date.now();
      snapshotChoices(); // before the SPA swaps the form out (on «Выпустить токен» too)
      schedule();
    };
    const onChange = () => { snapshotChoices(); schedule(); };
    /**
     * A token from a page event (the MAIN-world clipboard hand-off or a copy event) is stored only when
     * the user clicked «Скопировать токен» within COPY_WINDOW_MS. Otherwise the event only triggers a
     * DOM scan: a token the page itself keeps showing (text, field, attribute) is found and stored by
     * the scan; one a script puts into a field for a moment to fake a copy is gone by then.
     */
    function offerFromEvent(tokens) {
      if (!tokens.length) return;
      if (Date.now() - copyClickAt > COPY_WINDOW_MS) { schedule(); return; }
      for (const t of tokens) offer(t);
    }
    const onCandidate = (ev) => {
      const text = ev && typeof ev.detail === 'string' ? ev.detail : '';
      offerFromEvent(TB.token.extractTokens(text));
    };
    const onCopy = (ev) => {
      if (!trusted(ev)) return; // a script's synthetic copy event carries whatever it wants
      const all = [];
      for (const s of TB.capture.copyEventText(ev, d)) for (const t of TB.token.extractTokens(s)) if (!all.includes(t)) all.push(t);
      offerFromEvent(all);
    };
    const events = TB.core.listeners();
    events.on(d, 'click', onClick, true);
    events.on(d, 'change', onChange, true);
    events.on(d, 'input', onChange, true);
    events.on(d, 'tokenbridge:candidate', onCandidate, true);
    events.on(view, 'copy', onCopy, false);
    // Values set by script on inputs raise no mutation: poll lightly while the page is open (15 min).
    const pollMs = env.pollMs == null ? 1500 : env.pollMs;
    const started = Date.now();
    const poll = pollMs > 0 ? setInterval(() => {
      if (Date.now() - started > 15 * 60 * 1000) { clearInterval(poll); return; }
      scanNow();
    }, pollMs) : null;

    function stop() {
      stopped = true;
      mo.disconnect();
      if (poll) clearInterval(poll);
      events.off();
    }

    return { stop, scanNow, offer, choices: () => choices, box: () => box };
  };

  // Auto-start in the real extension only (unit tests have no chrome.runtime.id and call startCapture).
  TB.core.startInExtension('__captureStarted', start);
  return { start };
});
