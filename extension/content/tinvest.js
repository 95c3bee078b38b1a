// tokenbridge content script (isolated world) on https://www.tbank.ru/invest/settings/* and
// https://www.tinkoff.ru/invest/settings/*: captures the token once «Токен выпущен» is shown and asks
// the background to store it through the host. A token is stored only when the user really acted in
// this page (trusted click, key press or input) shortly before «Токен выпущен» appeared (the rule is
// in lib/capture-flow.js; across a full reload of the page, e.g. the bank's re-login, the background
// remembers the tab's last action: tb:user-action / tb:last-user-action). Page events are only ever token CANDIDATES: they must have the token shape,
// the page must show «Токен выпущен», and the user must have clicked «Скопировать токен» (a TRUSTED
// click) within the last 2 s; a token the page keeps showing is found by the DOM scan.
// The decisions and the box texts are the steps in lib/capture-flow.js; this file holds the observers
// and the wiring only. Page events release nothing.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('capturePage', (TB) => {
  'use strict';
  const flow = TB.captureFlow;

  /**
   * Start capturing in document d. env: {doc, send(msg) -> Promise(reply), getSettings() -> Promise(obj),
   * onSettings(fn)?, pollMs?, debounceMs?, isTrusted(ev)?}. Returns a controller (stop, scanNow, offer)
   * used by tests. isTrusted defaults to the browser's ev.isTrusted (unit tests inject their own).
   */
  function start(env) {
    const d = env.doc;
    const view = d.defaultView;
    const trusted = TB.core.trustedRule(env);
    let st = flow.initial();
    let stopped = false;
    const box = TB.ui.lazyBox(d, 'capture', { isTrusted: trusted });
    const show = box.show;
    const observed = new WeakSet();

    const loadedAt = Date.now();
    // Settings read: ask the background for this tab's last user action in an earlier page load (once),
    // then scan. Every candidate waits for that answer (at most PRIOR_WAIT_MS), so a token shown right
    // after a re-login reload is judged with it.
    let settingsRead = false;
    let priorDone;
    const priorKnown = new Promise((r) => { priorDone = r; });
    const settings = TB.core.watchSettings(env, () => { settingsRead = true; askPrior(); flushReport(false); scanNow(); });
    const PRIOR_WAIT_MS = 5000;
    function askPrior() {
      if (!settings().autocapture) { priorDone(); return; }
      const timer = setTimeout(priorDone, PRIOR_WAIT_MS);
      Promise.resolve().then(() => env.send({ type: 'tb:last-user-action' })).then((r) => {
        if (r && r.ok && typeof r.age_ms === 'number') st = flow.priorAction(st, Date.now() - r.age_ms, loadedAt);
      }, () => { /* no answer: this load's own actions only */ }).then(() => { clearTimeout(timer); priorDone(); });
    }

    // Counted actions go to the background (no content: it stamps the time), throttled by flow.reportAction.
    let reportTimer = null;
    function sendReport() {
      Promise.resolve().then(() => env.send({ type: 'tb:user-action' })).catch(() => { /* page unloading */ });
    }
    function reportActed() {
      if (settingsRead && !settings().autocapture) return;
      const r = flow.reportAction(st, Date.now(), !settingsRead); // held until the settings are read
      st = r.st;
      if (r.send) sendReport();
      else if (settingsRead) armReport(r.inMs);
    }
    function armReport(ms) {
      if (reportTimer === null && !stopped) reportTimer = setTimeout(() => { reportTimer = null; flushReport(false); }, Math.max(0, ms));
    }
    function flushReport(force) {
      if (!settingsRead || !settings().autocapture) return;
      const r = flow.reportDue(st, Date.now(), force);
      st = r.st;
      if (r.send) sendReport();
      else if (st.reportPending) armReport(r.inMs);
    }
    const issuedShown = () => { try { return TB.capture.isIssuedPage(d); } catch (_) { return false; } };
    /** Look at the page now: a showing of «Токен выпущен» starts or ends (returns whether it is shown). */
    function lookIssued() {
      const shown = issuedShown();
      st = flow.issuedSeen(st, shown, Date.now());
      return shown;
    }
    lookIssued(); // a heading already there when we start was not preceded by any action we saw

    function snapshotChoices() {
      try {
        if (TB.capture.isIssueForm(d)) st = flow.withChoices(st, TB.capture.readIssueChoices(d));
      } catch (_) { /* never break the page */ }
    }

    // Offers are serialized so two sightings of the same token at once (DOM + clipboard) store it once.
    let queue = Promise.resolve();
    function offer(candidate) {
      const p = queue.then(() => offerOne(candidate));
      queue = p.catch(() => {});
      return p;
    }

    async function offerOne(candidate) {
      if (stopped) return 'off';
      await priorKnown;
      const shape = TB.token.isTokenShape(candidate);
      const c = { autocapture: settings().autocapture, shape, issued: shape && lookIssued(), digest: null };
      if (c.autocapture && c.shape && c.issued) c.digest = await TB.token.digest(candidate);
      const r = flow.admit(st, c);
      st = r.st;
      if (r.verdict === 'no_action') show(flow.noActionView());
      if (r.verdict !== 'store') return r.verdict;
      return storeToken(flow.storeRequest(st, candidate));
    }

    async function storeToken(req) {
      show(flow.savingView());
      box.get().setAttr('validation', 'none');
      let res;
      try {
        res = await env.send(req);
      } catch (e) {
        res = { ok: false, error: { code: 'extension_error', detail: String((e && e.message) || 'unknown') } };
      }
      const v = flow.storedView(req, res);
      show(v);
      if (v.confirm) { box.get().button(TB.strings.t('box_save_anyway'), () => { storeToken(Object.assign({}, req, { confirmed: true })); }); return 'error'; }
      if (v.retry) { box.get().button(TB.strings.t('box_retry'), () => { storeToken(req); }); return 'error'; }
      if (v.validate) validate(v.validate, v.storedLine);
      return 'stored';
    }

    async function validate(id, storedLine) {
      box.get().setAttr('validation', 'checking');
      let res;
      try { res = await env.send({ type: 'tb:validate', token_id: id }); } catch (e) { res = { ok: false, error: { code: 'extension_error', detail: String(e && e.message) } }; }
      const v = flow.verdictView(res);
      const b = box.get();
      b.set(b.host.getAttribute('data-tokenbridge-status'), [storedLine, v.line], v.tone);
      box.get().setAttr('validation', v.verdict);
    }

    function scanNow() {
      if (stopped) return;
      snapshotChoices();
      if (!lookIssued() || !settings().autocapture) return;
      const tok = TB.capture.findTokenOnPage(d);
      if (tok) offer(tok);
      for (const sr of TB.dom.openShadowRoots(d)) {
        if (!observed.has(sr)) { observed.add(sr); mo.observe(sr, MO_OPTS); }
      }
    }
    const schedule = TB.dom.debounce(scanNow, env.debounceMs == null ? 150 : env.debounceMs);

    const MO_OPTS = { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ['value', 'checked', 'aria-checked', 'aria-pressed', 'aria-selected', 'hidden', 'style', 'data-clipboard-text'] };
    const MO = globalThis.MutationObserver || view.MutationObserver;
    const mo = new MO(schedule);
    mo.observe(d, MO_OPTS);

    /** A trusted event on the page (not on our own box) is a user action: see flow.userActed. */
    function acted(ev) {
      if (!trusted(ev)) return false;
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (t && t.nodeType === 1 && t.hasAttribute(TB.dom.OWN_ATTR)) return false; // our own box
      // While a showing is known (st.issuedAt) no walk is needed; otherwise look now (it may have just appeared).
      const shown = st.issuedAt !== null || issuedShown();
      st = flow.userActed(st, Date.now(), shown);
      if (!shown) reportActed(); // only an action that counts is reported
      return true;
    }
    const onClick = (ev) => {
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (acted(ev) && t && t.nodeType === 1 && TB.capture.isCopyClick(t)) st = flow.copyClicked(st, Date.now());
      snapshotChoices(); // before the SPA swaps the form out (on «Выпустить токен» too)
      schedule();
    };
    const onChange = (ev) => { acted(ev); snapshotChoices(); schedule(); };
    /**
     * A token from a page event (the MAIN-world clipboard hand-off or a copy event) is stored only right
     * after the user's copy click (flow.eventCounts). Otherwise the event only triggers a DOM scan: a token
     * the page itself keeps showing is found and stored by the scan; one a script puts into a field for a
     * moment to fake a copy is gone by then.
     */
    function offerFromEvent(tokens) {
      if (!tokens.length) return;
      if (!flow.eventCounts(st, Date.now())) { schedule(); return; }
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
    events.on(d, 'keydown', acted, true); // an SMS code or a password typed counts as acting
    events.on(d, 'tokenbridge:candidate', onCandidate, true);
    events.on(view, 'copy', onCopy, false);
    // A click that navigates away (the bank's re-login) may leave a report pending: send it now.
    events.on(view, 'pagehide', () => flushReport(true), false);
    // Values set by script on inputs raise no mutation: poll lightly while the page is open (15 min).
    const pollMs = env.pollMs == null ? 1500 : env.pollMs;
    const startedAt = Date.now();
    const poll = pollMs > 0 ? setInterval(() => {
      if (Date.now() - startedAt > 15 * 60 * 1000) { clearInterval(poll); return; }
      scanNow();
    }, pollMs) : null;

    function stop() {
      stopped = true;
      mo.disconnect();
      if (poll) clearInterval(poll);
      if (reportTimer !== null) clearTimeout(reportTimer);
      events.off();
    }

    return { stop, scanNow, offer, choices: () => st.choices, box: () => box.peek() };
  }

  // Auto-start in the real extension only (unit tests have no chrome.runtime.id and call start).
  TB.core.startInExtension('capture', start);
  return { start };
});
