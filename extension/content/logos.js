// tokenbridge content script (isolated world) on https://logos-up.com/profile* and
// https://www.logos-up.com/profile* (top frame only): fills the best T-Invest token into the token
// field of the «Подключение портфеля» block once «Тинькофф» is chosen. Never when «Другой брокер» is
// chosen, never outside that block. Page events (postMessage, CustomEvent) are ignored entirely.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('fillPage', (TB) => {
  'use strict';
  const CANDIDATES_MAX_AGE_MS = 30000; // prefetched token metadata is reused for this long
  const FAST_MS = 3000;                // immediate scans after a trusted action in the block

  /**
   * env: {doc, send(msg) -> Promise(reply), getSettings() -> Promise, onSettings(fn)?, onRequest(fn)?,
   *       debounceMs?, pollMs?, isTrusted(ev)?}. Returns a controller for tests.
   */
  function start(env) {
    const d = env.doc;
    const view = d.defaultView;
    const send = env.send;
    let hint = null;              // last broker choice the USER clicked inside the block (trusted clicks only)
    let armed = false;            // a trusted user action happened inside the block (page scripts cannot set it)
    let filled = null;            // {field, tokenId, digest, label}
    let autoTried = new WeakSet(); // fields we already tried to fill automatically
    let recorded = false;
    let busy = false;
    let box = null;
    let stopped = false;
    let ready = false;            // settings read

    const trusted = TB.core.trustedRule(env); // only real user actions count
    const ui = () => (box = box || TB.ui.createBox(d, 'fill', { isTrusted: trusted }));

    function showError(err) {
      const code = String((err && err.code) || 'unknown').replace(/[^a-z_]/g, '');
      let pair;
      if (code === 'host_missing') pair = ['Программа tokenbridge не установлена: выполните ./scripts/install.sh (или tokenbridge install).', 'The tokenbridge host is not installed: run ./scripts/install.sh (or tokenbridge install).'];
      else if (code === 'host_forbidden') pair = ['Программа tokenbridge не разрешает это расширение: выполните tokenbridge install --extension-id ' + (env.extensionId || '<id>'), 'Extension ID not allowed: run tokenbridge install --extension-id ' + (env.extensionId || '<id>')];
      else if (code === 'keyring_locked') pair = ['Связка ключей заблокирована: разблокируйте её («Пароли и ключи» / Seahorse).', 'The keyring is locked: unlock it (Seahorse «Passwords and Keys»).'];
      else pair = TB.strings.tr('fill_error', [String((err && err.message) || code).slice(0, 200)]);
      ui().set('error:' + code, [pair], 'err');
    }

    // The candidate list (metadata only, never secrets) is fetched as soon as the block is seen, so
    // the fill itself needs only the one `get` round-trip (target: field shown → filled ≤ 100 ms).
    let cands = null; // {at, promise}
    function prefetch(maxAgeMs) {
      if (cands && Date.now() - cands.at <= maxAgeMs) return cands.promise;
      const p = Promise.resolve(send({ type: 'tb:fill-candidates' })).then((r) => {
        if (!r || !r.ok) throw (r && r.error) || { code: 'unknown', message: 'no answer' };
        return TB.fill.pickBestToken(r.tokens);
      });
      const entry = { at: Date.now(), promise: p };
      cands = entry;
      p.catch(() => { if (cands === entry) cands = null; });
      return p;
    }
    function candidates() { return prefetch(CANDIDATES_MAX_AGE_MS); }

    /** Re-check everything right before writing: block, chosen broker, field inside the block. */
    function currentTarget() {
      const block = TB.fill.findBlock(d);
      if (!block) return { why: 'no_block' };
      const state = TB.fill.brokerState(block, hint);
      if (state !== 'tinkoff') return { why: state === 'other' ? 'other_broker' : 'not_chosen', block, state };
      const field = TB.fill.findTokenField(block);
      if (!field) return { why: 'no_field', block, state };
      return { block, field, state };
    }

    async function fillWith(tokenId, pick) {
      if (busy) return { ok: false, status: 'busy' };
      busy = true;
      try {
        let r;
        try { r = await send({ type: 'tb:fill-secret', token_id: tokenId }); } catch (e) { r = { ok: false, error: { code: 'extension_error', message: String(e && e.message) } }; }
        if (!r || !r.ok || typeof r.secret !== 'string') { showError(r && r.error); return { ok: false, status: 'error', error: r && r.error }; }
        const tgt = currentTarget();
        if (!tgt.field || !TB.token.isTokenShape(r.secret)) { ui().set('aborted:' + (tgt.why || 'shape'), [TB.strings.tr('fill_error', [tgt.why || 'shape'])], 'warn'); return { ok: false, status: tgt.why }; }
        const dg = await TB.token.digest(r.secret);
        TB.fill.setNativeValue(tgt.field, r.secret);
        const lbl = (r.token && r.token.label) || tokenId;
        filled = { field: tgt.field, tokenId, digest: dg, label: lbl, lastOurs: true };
        renderFilled(pick);
        if (settings().autoconnect) {
          const btn = TB.fill.findConnectButton(tgt.block);
          if (btn) { ui().setAttr('autoconnect', 'clicked'); btn.click(); }
        }
        schedule();
        return { ok: true, status: 'filled' };
      } finally {
        busy = false;
      }
    }

    function renderFilled(pick) {
      const masked = '';
      ui().set('filled', [TB.strings.tr('fill_filled', [filled.label + masked])], 'ok');
      if (pick && pick.choices && pick.choices.length > 1) {
        ui().addLines(TB.strings.tr('fill_choose'));
        for (const t of pick.choices) {
          const b = ui().button((t.label || t.id) + (t.masked ? ' ' + t.masked : ''), () => fillWith(t.id, pick), t.id !== filled.tokenId);
          b.setAttribute('data-token-id', t.id);
        }
      }
    }

    let autoFills = 0;
    async function autoFill(field) {
      autoTried.add(field);
      // A page that keeps re-creating an empty field must not make us fetch the secret forever.
      if (++autoFills > 3) { showOffer('offer-fill'); return; }
      let pick;
      try { pick = await candidates(); } catch (e) { showError(e); return; }
      if (!pick.best) { ui().set(pick.total ? 'none:all_skipped' : 'none:empty', [TB.fill.noTokenReason(pick)], 'warn'); return; }
      const r = await fillWith(pick.best.id, pick);
      if (r && r.error && r.error.code === 'not_found') {
        // The prefetched list was stale (token deleted meanwhile): ask again once.
        try { pick = await prefetch(0); } catch (e) { showError(e); return; }
        if (pick.best) await fillWith(pick.best.id, pick);
      }
    }

    async function chooseTinkoffAndFill(tokenId) {
      const block = TB.fill.findBlock(d);
      if (!block) return { ok: false, status: 'no_block' };
      const state = TB.fill.brokerState(block, hint);
      if (state === 'other') return { ok: false, status: 'other_broker' };
      if (state !== 'tinkoff') {
        const lbl = TB.fill.findInBlock(block, TB.fill.FILL_TEXT.TINKOFF)[0];
        if (!lbl) return { ok: false, status: 'no_choice' };
        TB.dom.clickableFor(lbl).click();
        hint = 'tinkoff';
      }
      // Wait (≤3 s) for the field to open.
      for (let i = 0; i < 30 && !currentTarget().field; i++) await new Promise((r) => setTimeout(r, 100));
      const tgt = currentTarget();
      if (!tgt.field) return { ok: false, status: tgt.why };
      autoTried.add(tgt.field);
      let pick;
      try { pick = await candidates(); } catch (e) { showError(e); return { ok: false, status: 'error' }; }
      const id = tokenId || (pick.best && pick.best.id);
      if (!id) { ui().set(pick.total ? 'none:all_skipped' : 'none:empty', [TB.fill.noTokenReason(pick)], 'warn'); return { ok: false, status: 'none' }; }
      return fillWith(id, pick);
    }

    /** One-click button: choose «Тинькофф» if needed and fill ('offer'), or just fill ('offer-fill'). */
    function showOffer(kind) {
      const b = ui();
      const st = kind || 'offer';
      if (b.host.getAttribute('data-tokenbridge-status') === st) return;
      b.set(st, [], 'info', true);
      b.button(TB.strings.tr(st === 'offer' ? 'fill_offer' : 'fill_offer_fill').join(' / '), () => { armed = true; chooseTinkoffAndFill(null); });
    }

    /**
     * «Портфель подключен» counts only when it appears INSIDE the block and the field still holds the
     * token we filled (digest): a page cannot make us record a use for a token it swapped out.
     */
    async function connectedWithOurToken() {
      const block = TB.fill.findBlock(d);
      if (!block || !block.roots.some((r) => TB.fill.isConnected(r))) return false;
      const f = filled && filled.field;
      if (!f) return false;
      // Pages often replace the form by the success message: then the value at the last click counts.
      if (!f.isConnected) return filled.lastOurs === true;
      if (typeof f.value !== 'string' || !f.value) return false;
      return (await TB.token.digest(f.value)) === filled.digest;
    }

    async function recordUse() {
      if (recorded || !filled) return;
      recorded = true;
      let r;
      try { r = await send({ type: 'tb:record-use', token_id: filled.tokenId }); } catch (e) { r = { ok: false, error: { code: 'extension_error', message: String(e && e.message) } }; }
      if (r && r.ok) ui().set('connected', [TB.strings.tr('fill_connected')], 'ok');
      else showError(r && r.error);
    }

    async function scanNow() {
      if (stopped || busy || !ready) return; // never act on the defaults before the user's settings are read
      if (filled && !recorded && await connectedWithOurToken()) { recordUse(); return; }
      const block = TB.fill.findBlock(d);
      if (!block) return;
      if (!cands) prefetch(CANDIDATES_MAX_AGE_MS).catch(() => {}); // errors are shown when a fill needs it
      const state = TB.fill.brokerState(block, hint);
      if (state === 'other') {
        // The user switched to another broker after we filled: take our token back out of the field.
        if (filled && filled.field.isConnected && filled.field.value) {
          const dg = await TB.token.digest(filled.field.value);
          if (dg === filled.digest) TB.fill.setNativeValue(filled.field, '');
        }
        if (box && box.host.getAttribute('data-tokenbridge-status') !== 'other') box.set('other', [], 'info'), box.hide();
        return;
      }
      if (state === 'tinkoff') {
        const field = TB.fill.findTokenField(block);
        if (!field || field.value || autoTried.has(field) || recorded) return;
        // Fill automatically only after the user acted inside the block (a trusted click/key/change):
        // a page script selecting «Тинькофф» by itself gets a button, not the token.
        if (settings().autofill && armed) await autoFill(field);
        else showOffer('offer-fill');
        return;
      }
      if (TB.fill.findInBlock(block, TB.fill.FILL_TEXT.TINKOFF).length) showOffer();
    }
    // Mutations are batched (150 ms) while idle; for a few seconds after a trusted action inside the
    // block every mutation is handled in the next microtask, so a field that opens is filled at once.
    const slowScan = TB.dom.debounce(() => { scanNow(); }, env.debounceMs == null ? 150 : env.debounceMs);
    let fastUntil = 0;
    let fastQueued = false;
    function schedule() {
      if (Date.now() >= fastUntil) { slowScan(); return; }
      if (fastQueued) return;
      fastQueued = true;
      Promise.resolve().then(() => { fastQueued = false; scanNow(); });
    }

    const MO = globalThis.MutationObserver || view.MutationObserver;
    const mo = new MO(schedule);
    mo.observe(d, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ['checked', 'aria-checked', 'aria-pressed', 'aria-selected', 'hidden', 'style', 'disabled'] });

    const onUser = (ev) => {
      if (ev.type === 'click' && filled && filled.field.isConnected) {
        // Snapshot what the field holds when anything is clicked (e.g. «Подключить портфель»).
        const f = filled;
        const v = String(f.field.value || '');
        TB.token.digest(v).then((h) => { if (filled === f) f.lastOurs = h === f.digest; });
      }
      if (!trusted(ev)) { schedule(); return; }
      const block = TB.fill.findBlock(d);
      const t = ev.composedPath ? ev.composedPath()[0] : ev.target;
      if (block && t && t.nodeType === 1 && TB.fill.inBlock(block, t)) {
        armed = true;
        fastUntil = Date.now() + FAST_MS;
        prefetch(2000).catch(() => {}); // refresh the metadata while the page reacts to the click
        if (ev.type === 'click') {
          const near = (labels) => labels.map(TB.dom.normLabel).includes(TB.dom.normLabel(t.textContent)) ||
            TB.dom.ancestors(t, 3).some((a) => labels.map(TB.dom.normLabel).includes(TB.dom.normLabel(a.textContent)));
          if (near(TB.fill.FILL_TEXT.TINKOFF)) hint = 'tinkoff';
          else if (near(TB.fill.FILL_TEXT.OTHER)) hint = 'other';
        }
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
        armed = true; // the user asked from the toolbar popup
        return chooseTinkoffAndFill(msg.token_id);
      },
      filled: () => filled && { tokenId: filled.tokenId },
      box: () => box,
    };
  };

  // Auto-start in the real extension only (unit tests have no chrome.runtime.id and call startFill).
  const started = TB.core.startInExtension('__fillStarted', start);
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
