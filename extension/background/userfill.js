// tokenbridge background: user-driven fill into the field the user chose, on any https site, with consent.
// Started only by the user: the context-menu item on editable fields or the popup's «Вставить в поле на
// этой странице». Both give `activeTab` for that tab; content/userfill.js is injected with `scripting` into
// its top frame (no host permission). The first fill into an origin asks in the extension's own UI («allow
// T-Invest tokens on ORIGIN?»); the answer is the host's fill allowlist (allow_fill_origin), sent only for
// extension pages. The host still decides every `get` for fill from the origin the browser reports (tab URL).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('userFill', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const fail = TB.errors.fail;
  const MENU_ID = 'tb-insert-token';
  const PENDING_MS = 2 * 60 * 1000;
  const FILES = ['lib/base.js', 'lib/dom.js', 'lib/token.js', 'lib/errors.js', 'lib/strings.js', 'lib/rules.js', 'lib/fill.js', 'content/userfill.js'];
  // Sites without a rule: least privilege first (a read-only token when there is one).
  const GENERIC = Object.freeze({ id: 'generic', name: '', accepts: ['readonly', 'full_access'], prefers: 'readonly' });

  // tabId -> {origin, targetElementId, until}: a context-menu fill waiting for the user's answer.
  const pending = new Map();

  /** The https origin of a tab (activeTab lets us read the URL of the tab the user acted on). */
  function originOf(tab) {
    const u = tab && typeof tab.url === 'string' ? TB.rules.plainHttps(tab.url) : null;
    if (!u) throw fail('user_fill_origin', 'tokens go only into https pages (no port, no user info); this tab is ' + String((tab && tab.url) || 'unknown').split(/[?#]/)[0].slice(0, 100));
    return u.origin;
  }

  async function allowed(host, origin) {
    const l = await host('list_fill_origins', { provider: 'tinvest' });
    return [].concat(l.builtin || [], l.added || []).includes(origin);
  }

  async function inTop(tabId, call) {
    const res = await api.scripting.executeScript(Object.assign({ target: { tabId, frameIds: [0] } }, call));
    return res && res[0] ? res[0].result : undefined;
  }

  // Why a fill could not happen, in the browser's UI language (_locales why_*): the $DETAIL$ of
  // err_user_fill_field / err_user_fill_token, so the whole sentence the user reads is in one language.
  const WHY = new Set(['no_field', 'login_password', 'not_editable', 'frame', 'origin_changed', 'field_gone', 'shape']);
  const why = (key, args) => {
    let m = '';
    try { m = api.i18n.getMessage('why_' + key, args || []); } catch (_) { m = ''; }
    return m || key;
  };
  const fieldFail = (w) => fail('user_fill_field', WHY.has(w) ? why(w) : String(w));
  const skippedText = (skipped) => skipped.map((x) => why('kind_' + x.reason)).join(', ') || why('none_stored');

  /**
   * Fill the field the user chose in tab. opts: {tokenId?, fullOk?, targetElementId?}. Returns {ok, status,
   * origin, token} or {ok:false, ask:'origin'|'full_access', origin, token?} (the UI asks, then calls again).
   */
  async function fill(host, tab, opts) {
    const o = opts || {};
    const origin = originOf(tab);
    if (!(await allowed(host, origin))) return { ok: false, ask: 'origin', origin };
    await api.scripting.executeScript({ target: { tabId: tab.id, frameIds: [0] }, files: FILES });
    const chosen = await inTop(tab.id, { func: (id) => globalThis[Symbol.for('tokenbridge.namespace.v1')].userFillPage.choose(id), args: [o.targetElementId == null ? null : o.targetElementId] });
    if (!chosen || !chosen.ok) throw fieldFail(chosen ? chosen.why : 'no_field');
    if (chosen.origin !== origin) throw fieldFail('origin_changed');
    const list = await TB.native.listAll({ provider: 'tinvest' }); // every page: a user may hold more than one page of tokens
    const rule = TB.rules.RULES.find((r) => r.origins.includes(origin)) || GENERIC;
    const tokens = (list.tokens || []).filter((t) => !o.tokenId || t.id === o.tokenId);
    const pick = TB.fill.pickBestToken(tokens, rule);
    if (!pick.best) throw fail('user_fill_token', why(o.tokenId ? 'token_unfit' : 'no_token_fits', [skippedText(pick.skipped)]));
    if (pick.needsConsent && !o.fullOk) return { ok: false, ask: 'full_access', origin, site: rule.name, token: { id: pick.best.id, label: pick.best.label } };
    const g = await host('get', { token_id: pick.best.id, purpose: 'fill', origin });
    const w = await inTop(tab.id, { func: (s, org) => globalThis[Symbol.for('tokenbridge.namespace.v1')].userFillPage.write(s, org), args: [g.secret, origin] });
    if (!w || !w.ok) throw fieldFail(w ? w.why : 'field_gone');
    await host('record_use', { token_id: pick.best.id, origin }).catch(() => {}); // the fill is the use
    return { ok: true, status: 'filled', origin, token: { id: pick.best.id, label: pick.best.label } };
  }

  /** The popup's action: the active tab of the current window (activeTab came with the popup click). */
  async function activeTab() {
    const tabs = await api.tabs.query({ active: true, currentWindow: true });
    if (!tabs || !tabs[0] || typeof tabs[0].id !== 'number') throw fail('user_fill_origin', 'no active tab');
    return tabs[0];
  }

  /** A context-menu click: fill, or keep it waiting and open the extension's UI for the question. */
  async function onMenu(host, info, tab) {
    if (!info || info.menuItemId !== MENU_ID || !tab || typeof tab.id !== 'number') return null;
    if (info.frameId) return notify(host, tab, fieldFail('frame'));
    try {
      const r = await fill(host, tab, { targetElementId: info.targetElementId });
      if (r.ok) return r;
      pending.set(tab.id, { origin: r.origin, targetElementId: info.targetElementId, ask: r.ask, site: r.site, token: r.token, until: Date.now() + PENDING_MS });
      await openAsk(tab);
      return r;
    } catch (e) {
      return notify(host, tab, e);
    }
  }

  async function notify(host, tab, err) {
    pending.set(tab.id, { error: TB.errors.reply(err).error, until: Date.now() + PENDING_MS });
    await openAsk(tab);
    return null;
  }

  async function openAsk(tab) {
    try {
      if (api.action && api.action.openPopup) { await api.action.openPopup({ windowId: tab.windowId }); return; }
    } catch (_) { /* not allowed here: a small window instead */ }
    await api.windows.create({ url: api.runtime.getURL('popup/popup.html?ask=' + tab.id), type: 'popup', width: 420, height: 360 });
  }

  /** What the popup should ask now: {tab_id, origin, ask, site, token} or {tab_id, error} or null. */
  function waiting() {
    const now = Date.now();
    for (const [id, p] of pending) if (p.until < now) pending.delete(id);
    const last = Array.from(pending.entries()).pop();
    if (!last) return null;
    const [tabId, p] = last;
    return p.error ? { tab_id: tabId, error: p.error } : { tab_id: tabId, origin: p.origin, ask: p.ask, site: p.site, token: p.token };
  }

  /**
   * The user answered in the extension's UI. allow: add the ORIGIN THE TAB SHOWS NOW (the same one the
   * question named, else nothing) to the host's allowlist, then fill. tabId null: the active tab (popup).
   */
  async function answer(host, tabId, yes, fullOk) {
    const p = tabId == null ? null : pending.get(tabId);
    if (tabId != null && !p) throw fail('user_fill_origin', 'nothing is waiting for an answer in that tab (it expires after 2 minutes): choose the action again');
    if (tabId != null) pending.delete(tabId);
    if (!yes) return { ok: true, status: 'cancelled' };
    const tab = tabId == null ? await activeTab() : await api.tabs.get(tabId);
    const origin = originOf(tab);
    if (p && p.origin && p.origin !== origin) throw fieldFail('origin_changed');
    if (!p || p.ask === 'origin' || tabId == null) await host('allow_fill_origin', { provider: 'tinvest', origin });
    const r = await fill(host, tab, { targetElementId: p ? p.targetElementId : undefined, fullOk: !!fullOk, tokenId: p && p.token ? p.token.id : undefined });
    // Allowing the site may lead to the next question (full access where read-only is preferred): it waits
    // for its own answer like the first one did.
    if (tabId != null && !r.ok && r.ask) {
      pending.set(tabId, { origin: r.origin, targetElementId: p.targetElementId, ask: r.ask, site: r.site, token: r.token, until: Date.now() + PENDING_MS });
    }
    return r;
  }

  /** The context-menu item (once per install/start; the browser keeps it across restarts). */
  function createMenu() {
    if (!api.contextMenus) return;
    // Promise form (Firefox's browser.* takes no callbacks); removeAll first: a worker restart re-creates it.
    Promise.resolve(api.contextMenus.removeAll()).then(() => {
      api.contextMenus.create({ id: MENU_ID, title: api.i18n.getMessage('menuInsert'), contexts: ['editable'] });
    }).catch(() => {});
  }

  return { fill, activeTab, onMenu, waiting, answer, createMenu, MENU_ID, FILES, pending };
});
