// tokenbridge content script (isolated world, top frame only) on a fill rule's pages (lib/rules.js):
// Logos (https://logos-up.com/profile*, https://www.logos-up.com/profile*) from the manifest, the other
// rules' sites once the user turned them on (registered by background/sites.js). Fills the best token of
// the rule's kinds into the rule's field: on Logos inside «Подключение портфеля» once «Тинькофф» is
// chosen, never with «Другой брокер», never outside that block. Page events (postMessage, CustomEvent)
// are ignored entirely. The state and the decisions are in lib/fill-flow.js, the matcher in lib/fill.js;
// this file holds the observers and the wiring.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('fillPage', (TB) => {
  'use strict';
  const flow = TB.fillFlow;

  /**
   * env: {doc, send(msg) -> Promise(reply), getSettings() -> Promise, onSettings(fn)?,
   *       debounceMs?, pollMs?, isTrusted(ev)?, open(url)?}. The rule is the one of the page's URL.
   * Returns a controller for tests, or null on a page no rule covers.
   */
  function start(env) {
    const d = env.doc;
    const view = d.defaultView;
    const send = env.send;
    const rule = TB.rules.forUrl(d.location && d.location.href);
    if (!rule) return null;
    const trusted = TB.core.trustedRule(env); // only real user actions count
    let st = flow.initial(null, rule);
    const autoTried = new WeakSet(); // fields we already tried to fill automatically
    let stopped = false;
    let ready = false; // settings read
    const box = TB.ui.lazyBox(d, 'fill', { isTrusted: trusted });
    const ui = box.get;
    const show = box.show;
    const showError = (err) => show(flow.errorView(err));
    const failed = (e) => ({ ok: false, error: { code: 'extension_error', detail: String(e && e.message) } });

    // The candidate list (metadata only, never secrets) is fetched as soon as the block is seen, so
    // the fill itself needs only the one `get` round-trip (target: field shown → filled ≤ 100 ms).
    let cands = null; // {at, promise}
    function prefetch(maxAgeMs) {
      if (cands && Date.now() - cands.at <= maxAgeMs) return cands.promise;
      const p = Promise.resolve(send({ type: 'tb:fill-candidates' })).then((r) => {
        if (!r || !r.ok) throw TB.errors.fromReply(r);
        return TB.fill.pickBestToken(r.tokens, st.rule);
      });
      const entry = { at: Date.now(), promise: p };
      cands = entry;
      p.catch(() => { if (cands === entry) cands = null; });
      return p;
    }
    const candidates = () => prefetch(st.policy.candidatesMaxAgeMs);

    async function fillWith(tokenId, pick) {
      if (st.busy) return { ok: false, status: 'busy' };
      st.busy = true;
      try {
        let r;
        try { r = await send({ type: 'tb:fill-secret', token_id: tokenId }); } catch (e) { r = failed(e); }
        const tgt = flow.target(d, st);
        const use = flow.secretUsable(r, tgt);
        if (!use.ok && use.status === 'error') { showError((r && r.error) || {}); return { ok: false, status: 'error', error: r && r.error }; }
        if (!use.ok) { show(flow.abortedView(use.status)); return { ok: false, status: tgt.why }; }
        const dg = await TB.token.digest(r.secret);
        TB.fill.setNativeValue(tgt.field, r.secret);
        st.filled = { field: tgt.field, tokenId, digest: dg, label: (r.token && r.token.label) || tokenId, lastOurs: true };
        renderFilled(pick);
        // A site without a success text (no `connected` in its rule): the fill itself is the use.
        if (!st.rule.connected.length) recordUse(true);
        if (settings().autoconnect) {
          const btn = TB.fill.findConnectButton(tgt.block, st.rule);
          if (btn) { ui().setAttr('autoconnect', 'clicked'); btn.click(); }
        }
        schedule();
        return { ok: true, status: 'filled' };
      } finally {
        st.busy = false;
      }
    }

    function renderFilled(pick) {
      show(flow.filledView(st.filled));
      const others = flow.choices(pick);
      if (!others.length) return;
      ui().addLine(TB.strings.t('box_fill_choose'));
      for (const t of others) {
        const b = ui().button((t.label || t.id) + (t.masked ? ' ' + t.masked : ''), () => fillWith(t.id, pick), t.id !== st.filled.tokenId);
        b.setAttribute('data-token-id', t.id);
      }
    }

    async function autoFill(field) {
      autoTried.add(field);
      const c = flow.countAutoFill(st);
      st = c.st;
      if (!c.allowed) { showOffer('offer-fill'); return; }
      let pick;
      try { pick = await candidates(); } catch (e) { showError(e); return; }
      if (!pick.best) { show(flow.noTokenView(pick, st.rule)); return; }
      if (!flow.kindConsent(st, pick).ok) { showConsent(pick); return; }
      const r = await fillWith(pick.best.id, pick);
      if (r && r.error && r.error.code === 'not_found') {
        // The prefetched list was stale (token deleted meanwhile): ask again once.
        try { pick = await prefetch(0); } catch (e) { showError(e); return; }
        if (pick.best) await fillWith(pick.best.id, pick);
      }
    }

    async function chooseTinkoffAndFill(tokenId) {
      const block = TB.fill.findBlock(d, st.rule);
      if (!block) return { ok: false, status: 'no_block' };
      const state = TB.fill.brokerState(block, st.hint, st.rule);
      if (state === 'other') return { ok: false, status: 'other_broker' };
      if (state !== 'tinkoff') {
        const lbl = TB.fill.findInChoices(block, st.rule.broker.choose)[0];
        if (!lbl) return { ok: false, status: 'no_choice' };
        TB.dom.clickableFor(lbl).click();
        st.hint = 'tinkoff';
      }
      // Wait (≤3 s) for the field to open.
      for (let i = 0; i < 30 && !flow.target(d, st).field; i++) await new Promise((r) => setTimeout(r, 100));
      const tgt = flow.target(d, st);
      if (!tgt.field) return { ok: false, status: tgt.why };
      autoTried.add(tgt.field);
      let pick;
      try { pick = await candidates(); } catch (e) { showError(e); return { ok: false, status: 'error' }; }
      const id = tokenId || (pick.best && pick.best.id);
      if (!id) { show(flow.noTokenView(pick, st.rule)); return { ok: false, status: 'none' }; }
      // The kind rule holds for a token the user picked in the popup too.
      const chosen = (tokenId && tokenId !== (pick.best && pick.best.id)) ? TB.fill.pickBestToken(pick.tokens.filter((t) => t.id === tokenId), st.rule) : pick;
      if (tokenId && !chosen.best) { show(flow.noTokenView(chosen, st.rule)); return { ok: false, status: 'kind_refused' }; }
      if (!flow.kindConsent(st, chosen).ok) { showConsent(chosen); return { ok: false, status: 'ask_full_access' }; }
      return fillWith(id, pick);
    }

    /**
     * Full access where the rule prefers read-only: explain the risk; fill only after «insert anyway»
     * (a trusted click on our button), or open the bank's token page to issue a read-only one.
     */
    function showConsent(pick) {
      const v = flow.consentView(st, pick);
      show(v);
      ui().button(v.buttons[0], () => { st.fullOk = true; st.armed = true; fillWith(pick.best.id, pick); });
      ui().button(v.buttons[1], () => { (env.open || ((u) => view.open(u, '_blank', 'noopener')))(flow.ISSUE_URL); }, true);
    }

    /** One-click button: choose «Тинькофф» if needed and fill ('offer'), or just fill ('offer-fill'). */
    function showOffer(kind) {
      const cur = box.peek();
      if (cur && cur.host.getAttribute('data-tokenbridge-status') === kind) return;
      const v = flow.offerView(kind);
      show(v);
      ui().button(v.button, () => { st.armed = true; chooseTinkoffAndFill(null); });
    }

    /**
     * «Портфель подключен» counts only when it appears INSIDE the block and the field still holds the
     * token we filled (digest): a page cannot make us record a use for a token it swapped out.
     */
    async function connectedWithOurToken(block) {
      const f = st.filled && st.filled.field;
      if (!block || !f || !block.roots.some((r) => TB.fill.isConnected(r, st.rule))) return false;
      // Pages often replace the form by the success message: then the value at the last click counts.
      if (!f.isConnected) return st.filled.lastOurs === true;
      if (typeof f.value !== 'string' || !f.value) return false;
      return (await TB.token.digest(f.value)) === st.filled.digest;
    }

    /** quiet: the fill itself is the use (the box keeps saying «filled»; only an error shows). */
    async function recordUse(quiet) {
      st.recorded = true;
      let r;
      try { r = await send({ type: 'tb:record-use', token_id: st.filled.tokenId }); } catch (e) { r = failed(e); }
      if (r && r.ok) { if (!quiet) show(flow.connectedView()); }
      else showError((r && r.error) || {});
    }

    /** Read the page into the snapshot decide() needs. */
    async function snapshot() {
      const block = TB.fill.findBlock(d, st.rule);
      const snap = { block, connectedOurs: st.filled && !st.recorded ? await connectedWithOurToken(block) : false };
      if (!block) return snap;
      snap.state = TB.fill.brokerState(block, st.hint, st.rule);
      if (snap.state === 'tinkoff') {
        snap.field = TB.fill.findTokenField(block, st.rule);
        snap.fieldValue = snap.field ? snap.field.value : '';
        snap.tried = !!snap.field && autoTried.has(snap.field);
      } else if (snap.state !== 'other') {
        snap.offerable = !!st.rule.broker && TB.fill.findInChoices(block, st.rule.broker.choose).length > 0;
      }
      return snap;
    }

    async function scanNow() {
      if (stopped || st.busy || !ready) return; // never act on the defaults before the user's settings are read
      const snap = await snapshot();
      if (snap.block && !cands && !snap.connectedOurs) prefetch(st.policy.candidatesMaxAgeMs).catch(() => {}); // errors are shown when a fill needs it
      const next = flow.decide(st, snap, settings());
      switch (next.act) {
        case 'record': return recordUse();
        case 'clear_ours': {
          // The user switched to another broker after we filled: take our token back out of the field.
          const f = st.filled;
          if (f && f.field.isConnected && f.field.value && (await TB.token.digest(f.field.value)) === f.digest) TB.fill.setNativeValue(f.field, '');
          const cur = box.peek();
          if (cur && cur.host.getAttribute('data-tokenbridge-status') !== 'other') { cur.set('other', [], 'info'); cur.hide(); }
          return undefined;
        }
        case 'autofill': return autoFill(next.field);
        case 'offer': return showOffer(next.kind);
        default: return undefined;
      }
    }
    // Mutations are batched (150 ms) while idle; for a few seconds after a trusted action inside the
    // block every mutation is handled in the next microtask, so a field that opens is filled at once.
    const slowScan = TB.dom.debounce(() => { scanNow(); }, env.debounceMs == null ? 150 : env.debounceMs);
    let fastQueued = false;
    function schedule() {
      if (Date.now() >= st.fastUntil) { slowScan(); return; }
      if (fastQueued) return;
      fastQueued = true;
      Promise.resolve().then(() => { fastQueued = false; scanNow(); });
    }

    const MO = globalThis.MutationObserver || view.MutationObserver;
    const mo = new MO(schedule);
    mo.observe(d, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ['checked', 'aria-checked', 'aria-pressed', 'aria-selected', 'hidden', 'style', 'disabled'] });

    const onUser = (ev) => {
      const f = st.filled;
      if (ev.type === 'click' && f && f.field.isConnected) {
        // Snapshot what the field holds when anything is clicked (e.g. «Подключить портфель»).
        TB.token.digest(String(f.field.value || '')).then((h) => { if (st.filled === f) f.lastOurs = h === f.digest; });
      }
      if (!trusted(ev)) { schedule(); return; }
      const block = TB.fill.findBlock(d, st.rule);
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (block && t && t.nodeType === 1 && TB.fill.inBlock(block, t)) {
        // The broker hint comes only from the block's own choices (a dialog's title «Тинькофф» is no choice).
        const onChoice = TB.fill.inBlock({ roots: TB.fill.choiceRoots(block) }, t);
        const near = (labels) => onChoice && (labels.map(TB.dom.normLabel).includes(TB.dom.normLabel(t.textContent)) ||
          TB.dom.ancestors(t, 3).some((a) => labels.map(TB.dom.normLabel).includes(TB.dom.normLabel(a.textContent))));
        st = flow.userActed(st, Date.now(), ev.type === 'click', near);
        prefetch(2000).catch(() => {}); // refresh the metadata while the page reacts to the click
      }
      schedule();
    };
    const events = TB.core.listeners();
    events.on(d, 'click', onUser, true);
    events.on(d, 'change', onUser, true);
    events.on(d, 'keydown', onUser, true);
    const pollMs = env.pollMs == null ? 2000 : env.pollMs;
    const poll = pollMs > 0 ? setInterval(() => scanNow(), pollMs) : null;

    const settings = TB.core.watchSettings(env, () => { ready = true; scanNow(); });

    function stop() {
      stopped = true;
      mo.disconnect();
      if (poll) clearInterval(poll);
      events.off();
    }

    return {
      stop, scanNow, fillWith, chooseTinkoffAndFill,
      /** Handle a background request (popup "fill into the active Logos tab"). */
      request(msg) {
        if (!msg || msg.type !== 'tb:fill-request' || typeof msg.token_id !== 'string') return Promise.resolve({ ok: false, status: 'bad_request' });
        st.armed = true; // the user asked from the toolbar popup
        return chooseTinkoffAndFill(msg.token_id);
      },
      filled: () => st.filled && { tokenId: st.filled.tokenId },
      box: () => box.peek(),
    };
  }

  // Auto-start in the real extension only (unit tests have no chrome.runtime.id and call start).
  const started = TB.core.startInExtension('fill', start);
  if (started) {
    const { api, ctl } = started;
    // Only our own background may ask for a fill (sender.id is set by the browser; no sender.tab means
    // it came from the extension itself, not from another content script).
    api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
      if (!sender || sender.id !== api.runtime.id || sender.tab) return false;
      if (!msg || msg.type !== 'tb:fill-request') return false;
      ctl.request(msg).then(sendResponse, () => sendResponse({ ok: false, status: 'error' }));
      return true;
    });
  }
  return { start };
});
