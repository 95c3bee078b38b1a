// tokenbridge background: the only part that talks to the native host (dev.tokenbridge.host).
// Classic script (no ES modules): Chromium runs it as the MV3 service worker, Firefox as an event page.
// Every decision about WHO asked comes from `sender` (filled in by the browser), never from a message.
(function (root) {
  'use strict';
  const api = root.browser || root.chrome;
  const HOST_NAME = 'dev.tokenbridge.host';
  const BROKER_ORIGINS = ['https://www.tbank.ru', 'https://www.tinkoff.ru'];
  const BROKER_PATH = /^\/invest\/settings(\/|$)/;
  const LOGOS_ORIGINS = ['https://logos-up.com', 'https://www.logos-up.com'];
  const LOGOS_PATH = /^\/profile(\/|$|[?#]|[A-Za-z0-9._~-])/;
  const POPUP_PATH = 'popup/popup.html';
  const OFFSCREEN_PATH = 'offscreen/offscreen.html';
  const CLIPBOARD_CLEAR_MS = 30000;
  const CAPTURE_LIMIT = 3;                 // distinct tokens a broker tab may store…
  const CAPTURE_WINDOW_MS = 10 * 60 * 1000; // …per 10 minutes
  const TIMEOUT_MS = { default: 15000, validate: 45000, moex_token: 45000, moex_list: 15000 };
  const KINDS = ['full_access', 'readonly', 'sandbox', 'unknown'];
  const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
  const TOKEN_RE = /^t\.[A-Za-z0-9_-]{60,1024}$/;

  // ---------------------------------------------------------------- errors
  class TBError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }
  const FIX_MISSING = 'host not installed: run ./scripts/install.sh (or `tokenbridge install`)';
  function fixForbidden() {
    return 'extension ID not allowed: run tokenbridge install --extension-id ' + extensionId();
  }
  function extensionId() {
    try { return api.runtime.id; } catch (_) { return '<id>'; }
  }

  /** Map a browser native-messaging error text to a stable code with a fix. */
  function mapNativeError(text) {
    const t = String(text || '');
    if (/not found|No such native application|is not installed/i.test(t) && !/forbidden/i.test(t)) {
      if (/does not have permission/i.test(t)) return new TBError('host_forbidden', fixForbidden() + ' (or, if it is not installed, run ./scripts/install.sh)');
      return new TBError('host_missing', FIX_MISSING);
    }
    if (/forbidden|does not have permission|not allowed/i.test(t)) return new TBError('host_forbidden', fixForbidden());
    if (/exited/i.test(t)) return new TBError('host_exited', 'the tokenbridge host stopped unexpectedly; see its log file (tokenbridge doctor) and reinstall with ./scripts/install.sh if needed');
    if (/exceeds|too large/i.test(t)) return new TBError('host_protocol', 'the host sent a message the browser rejected (too large); update tokenbridge');
    return new TBError('host_error', 'native messaging failed: ' + t.slice(0, 200) + ' — check the host with `tokenbridge doctor`');
  }

  function errorReply(e) {
    const code = e && typeof e.code === 'string' ? e.code : 'extension_error';
    const message = e && e.message ? String(e.message).slice(0, 500) : 'unexpected error in the extension background';
    return { ok: false, error: { code, message } };
  }

  // ---------------------------------------------------------------- native host port
  const nat = { port: null, pending: new Map(), seq: 0 };

  function connect() {
    let port;
    try {
      port = api.runtime.connectNative(HOST_NAME);
    } catch (e) {
      throw mapNativeError(e && e.message);
    }
    nat.port = port;
    port.onMessage.addListener((msg) => {
      if (!msg || typeof msg !== 'object' || typeof msg.id !== 'string') return;
      const p = nat.pending.get(msg.id);
      if (!p || p.port !== port) return;
      nat.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok === true) { p.resolve(msg); return; }
      const err = msg.error && typeof msg.error === 'object' ? msg.error : {};
      const code = typeof err.code === 'string' && /^[a-z_]{1,40}$/.test(err.code) ? err.code : 'host_error';
      const message = typeof err.message === 'string' ? err.message.slice(0, 500) : 'the host reported an error without a message';
      p.reject(new TBError(code, message));
    });
    port.onDisconnect.addListener((p) => {
      const le = api.runtime.lastError;
      const text = (le && le.message) || (p && p.error && p.error.message) || 'Native host has exited.';
      if (nat.port === port) nat.port = null;
      const e = mapNativeError(text);
      for (const [id, pend] of nat.pending) {
        if (pend.port !== port) continue;
        nat.pending.delete(id);
        clearTimeout(pend.timer);
        pend.reject(e);
      }
    });
    return port;
  }

  /** Send one request to the host; resolves with the reply (ok:true) or rejects with TBError. */
  function hostRequest(cmd, fields) {
    return new Promise((resolve, reject) => {
      let port;
      try { port = nat.port || connect(); } catch (e) { reject(e); return; }
      const id = 'r' + (++nat.seq) + '-' + Date.now().toString(36);
      const ms = TIMEOUT_MS[cmd] || TIMEOUT_MS.default;
      const timer = setTimeout(() => {
        nat.pending.delete(id);
        reject(new TBError('host_timeout', 'the tokenbridge host did not answer "' + cmd + '" within ' + Math.round(ms / 1000) + ' s (keyring prompt waiting? check `tokenbridge doctor`)'));
      }, ms);
      nat.pending.set(id, { resolve, reject, timer, port });
      try {
        port.postMessage(Object.assign({ id, cmd }, fields || {}));
      } catch (e) {
        nat.pending.delete(id);
        clearTimeout(timer);
        if (nat.port === port) nat.port = null;
        reject(mapNativeError(e && e.message));
      }
    });
  }

  // ---------------------------------------------------------------- who is asking
  function extPrefix() { return api.runtime.getURL(''); }

  /**
   * Classify a message sender from browser-provided fields only. Returns
   *   {role: 'popup'} | {role: 'broker'|'logos', origin, tabId} | null (refused).
   */
  function classify(sender) {
    if (!sender || typeof sender !== 'object') return null;
    if (sender.id !== api.runtime.id) return null; // other extensions, web pages
    const url = typeof sender.url === 'string' ? sender.url : '';
    if (!url) return null;
    const prefix = extPrefix();
    if (url.startsWith(prefix)) {
      const path = url.slice(prefix.length).split(/[?#]/)[0];
      return path === POPUP_PATH ? { role: 'popup' } : null;
    }
    if (!sender.tab || typeof sender.tab.id !== 'number' || sender.tab.id < 0) return null;
    if (sender.frameId !== 0) return null; // sub-frames never
    let u;
    try { u = new URL(url); } catch (_) { return null; }
    if (u.protocol !== 'https:' || u.username || u.password || u.port) return null;
    if (sender.origin !== undefined && sender.origin !== u.origin) return null;
    if (BROKER_ORIGINS.includes(u.origin) && BROKER_PATH.test(u.pathname)) return { role: 'broker', origin: u.origin, tabId: sender.tab.id };
    if (LOGOS_ORIGINS.includes(u.origin) && LOGOS_PATH.test(u.pathname)) return { role: 'logos', origin: u.origin, tabId: sender.tab.id };
    return null;
  }

  // ---------------------------------------------------------------- input checks
  function bad(msg) { return new TBError('bad_request', msg); }
  function tokenId(v) {
    if (typeof v !== 'string' || !ID_RE.test(v)) throw bad('token_id must be 1..64 characters [A-Za-z0-9_.:-]');
    return v;
  }
  function label(v) {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || v.length > 100 || /[\u0000-\u001f\u007f]/.test(v)) throw bad('label must be at most 100 characters without control characters');
    return v;
  }
  function kind(v) {
    if (v === undefined || v === null || v === '') return undefined;
    if (!KINDS.includes(v)) throw bad('kind must be one of ' + KINDS.join(', '));
    return v;
  }
  function scope(v) {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || typeof v.all_accounts !== 'boolean') throw bad('scope must be {all_accounts: boolean, account_name: string}');
    const name = v.account_name === undefined ? '' : v.account_name;
    if (typeof name !== 'string' || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) throw bad('scope.account_name must be at most 100 characters');
    return { all_accounts: v.all_accounts, account_name: v.all_accounts ? '' : name };
  }
  function secret(v) {
    if (typeof v !== 'string' || !TOKEN_RE.test(v)) throw bad('the value is not a T-Invest token (t. followed by at least 60 characters A-Z a-z 0-9 _ -)');
    return v;
  }
  function profileName(v) {
    if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(v)) throw bad('profile name must be 1..40 characters [a-z0-9_-]');
    return v;
  }
  function strip(obj) {
    const o = {};
    for (const k of Object.keys(obj)) if (obj[k] !== undefined) o[k] = obj[k];
    return o;
  }

  /** Metadata a Logos content script may see (enough to choose and label; nothing else). */
  function fillMeta(t) {
    if (!t || typeof t !== 'object') return null;
    return {
      id: t.id, provider: t.provider, label: t.label, kind: t.kind, masked: t.masked,
      created_at: t.created_at, last_used_at: t.last_used_at,
      validation: t.validation && typeof t.validation === 'object' ? { result: t.validation.result } : undefined,
    };
  }
  /** Metadata the broker page's confirmation box shows. */
  function captureMeta(t) {
    if (!t || typeof t !== 'object') return null;
    const v = t.validation && typeof t.validation === 'object' ? t.validation : null;
    return {
      id: t.id, label: t.label, kind: t.kind, masked: t.masked,
      validation: v ? { result: v.result, accounts: Array.isArray(v.accounts) ? v.accounts.length : 0 } : undefined,
    };
  }

  // ---------------------------------------------------------------- state (memory only, no secrets)
  const capturedBy = new Map(); // tabId -> Set(token ids stored from that tab)
  function rememberCapture(tabId, id) {
    if (!capturedBy.has(tabId)) capturedBy.set(tabId, new Set());
    capturedBy.get(tabId).add(id);
  }

  const captureLog = new Map(); // tabId -> [{fp, at}] (SHA-256 of stored secrets, never the secrets)
  async function sha256hex(s) {
    const buf = await root.crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  /** Refuse a broker tab's 4th distinct token within 10 minutes (a page script forging tokens). */
  async function checkCaptureRate(tabId, secretValue) {
    const fp = await sha256hex(secretValue);
    const now = Date.now();
    const list = (captureLog.get(tabId) || []).filter((e) => now - e.at < CAPTURE_WINDOW_MS);
    if (!list.some((e) => e.fp === fp)) {
      if (list.length >= CAPTURE_LIMIT) {
        captureLog.set(tabId, list);
        throw new TBError('capture_limit', 'this tab already stored ' + CAPTURE_LIMIT + ' tokens in the last 10 minutes; nothing was stored. Wait, or add the token in the extension menu (Add a token)');
      }
      list.push({ fp, at: now });
    }
    captureLog.set(tabId, list);
  }

  // ---------------------------------------------------------------- handlers
  async function handleBroker(msg, who) {
    switch (msg.type) {
      case 'tb:capture': {
        await checkCaptureRate(who.tabId, secret(msg.secret));
        const req = strip({
          provider: 'tinvest', secret: secret(msg.secret), label: label(msg.label), kind: kind(msg.kind),
          scope: scope(msg.scope), source_origin: who.origin,
        });
        const r = await hostRequest('store', req);
        if (r.token && typeof r.token.id === 'string') rememberCapture(who.tabId, r.token.id);
        return { ok: true, created: r.created !== false, token: captureMeta(r.token) };
      }
      case 'tb:validate': {
        const id = tokenId(msg.token_id);
        const mine = capturedBy.get(who.tabId);
        if (!mine || !mine.has(id)) {
          // The worker may have restarted: accept only a token that this origin stored.
          const l = await hostRequest('list', { provider: 'tinvest' });
          const t = (l.tokens || []).find((x) => x && x.id === id);
          if (!t || t.source_origin !== who.origin) throw new TBError('not_allowed', 'this page may only check the token it just captured');
        }
        const r = await hostRequest('validate', { token_id: id });
        return { ok: true, token: captureMeta(r.token) };
      }
      default:
        throw new TBError('not_allowed', 'message type not allowed from the broker page');
    }
  }

  async function handleLogos(msg, who) {
    switch (msg.type) {
      case 'tb:fill-candidates': {
        const r = await hostRequest('list', { provider: 'tinvest' });
        return { ok: true, tokens: (r.tokens || []).map(fillMeta).filter(Boolean) };
      }
      case 'tb:fill-secret': {
        const id = tokenId(msg.token_id);
        // The host checks that this origin may receive this provider's token; the reply goes back
        // only to this sender (sendResponse), i.e. this tab's top frame.
        const r = await hostRequest('get', { token_id: id, purpose: 'fill', origin: who.origin });
        if (typeof r.secret !== 'string') throw new TBError('host_error', 'the host answered get without a secret');
        return { ok: true, secret: r.secret, token: fillMeta(r.token) };
      }
      case 'tb:record-use': {
        const r = await hostRequest('record_use', { token_id: tokenId(msg.token_id), origin: who.origin });
        return { ok: true, token: fillMeta(r.token) };
      }
      default:
        throw new TBError('not_allowed', 'message type not allowed from the Logos page');
    }
  }

  async function handlePopup(msg) {
    switch (msg.type) {
      case 'tb:hello': {
        const r = await hostRequest('hello', {});
        return { ok: true, protocol: r.protocol, version: r.version, keyring: r.keyring, keyring_message: r.keyring_message };
      }
      case 'tb:list': {
        const r = await hostRequest('list', {});
        return { ok: true, tokens: Array.isArray(r.tokens) ? r.tokens : [] };
      }
      case 'tb:validate': {
        const r = await hostRequest('validate', { token_id: tokenId(msg.token_id) });
        return { ok: true, token: r.token };
      }
      case 'tb:update': {
        const r = await hostRequest('update', strip({ token_id: tokenId(msg.token_id), label: label(msg.label), kind: kind(msg.kind) }));
        return { ok: true, token: r.token };
      }
      case 'tb:delete': {
        await hostRequest('delete', { token_id: tokenId(msg.token_id) });
        return { ok: true, deleted: true };
      }
      case 'tb:store': {
        const r = await hostRequest('store', strip({
          provider: 'tinvest', secret: secret(typeof msg.secret === 'string' ? msg.secret.trim() : msg.secret),
          label: label(msg.label), kind: kind(msg.kind), scope: scope(msg.scope),
        }));
        return { ok: true, created: r.created !== false, token: r.token };
      }
      case 'tb:copy': {
        const r = await hostRequest('get', { token_id: tokenId(msg.token_id), purpose: 'copy' });
        await clipboardCopy(r.secret);
        return { ok: true, clear_after_s: CLIPBOARD_CLEAR_MS / 1000 };
      }
      case 'tb:fill-active':
        return fillActiveTab(tokenId(msg.token_id));
      case 'tb:moex-list': {
        const r = await hostRequest('moex_list', {});
        return { ok: true, profiles: Array.isArray(r.profiles) ? r.profiles : [] };
      }
      case 'tb:moex-copy': {
        const r = await hostRequest('moex_token', { name: profileName(msg.name), purpose: 'copy' });
        await clipboardCopy(r.access_token);
        return { ok: true, expires_at: r.expires_at, clear_after_s: CLIPBOARD_CLEAR_MS / 1000 };
      }
      default:
        throw new TBError('not_allowed', 'unknown message type');
    }
  }

  /**
   * Ask the active tab's Logos content script to fill (it then requests the secret itself, and the
   * background checks THAT sender). The request carries no secret. Without the "tabs" permission the
   * tab URL may be hidden; then only our Logos content script can answer (no other content script
   * of ours listens for tb:fill-request).
   */
  async function fillActiveTab(id) {
    const tabs = await api.tabs.query({ active: true, currentWindow: true });
    const tab = tabs && tabs[0];
    const noTab = () => new TBError('no_logos_tab', 'open https://logos-up.com/profile/ in the active tab (reload it if it was open before the extension) and try again');
    if (!tab || typeof tab.id !== 'number') throw noTab();
    if (tab.url) {
      let u = null;
      try { u = new URL(tab.url); } catch (_) { u = null; }
      if (!u || u.protocol !== 'https:' || !LOGOS_ORIGINS.includes(u.origin) || !LOGOS_PATH.test(u.pathname)) throw noTab();
    }
    let r;
    try {
      r = await api.tabs.sendMessage(tab.id, { type: 'tb:fill-request', token_id: id }, { frameId: 0 });
    } catch (_) {
      throw noTab();
    }
    if (!r || typeof r !== 'object') throw noTab();
    return r.ok ? { ok: true, status: String(r.status || 'filled') }
      : { ok: false, status: String(r.status || 'error'), error: r.error || { code: String(r.status || 'fill_failed'), message: 'the Logos page could not be filled: ' + String(r.status || 'unknown') } };
  }

  async function handleMessage(msg, sender) {
    const who = classify(sender);
    if (!who) return { ok: false, error: { code: 'not_allowed', message: 'sender not allowed' } };
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return { ok: false, error: { code: 'bad_request', message: 'message must be an object with a type' } };
    try {
      if (who.role === 'broker') return await handleBroker(msg, who);
      if (who.role === 'logos') return await handleLogos(msg, who);
      return await handlePopup(msg);
    } catch (e) {
      return errorReply(e);
    }
  }

  // ---------------------------------------------------------------- clipboard (copy + clear after 30 s)
  const off = { port: null, waiters: [] };

  function onOffscreenConnect(port) {
    if (!port || port.name !== 'tb-offscreen') return;
    const s = port.sender || {};
    if (s.id !== api.runtime.id || s.url !== api.runtime.getURL(OFFSCREEN_PATH)) { port.disconnect(); return; }
    off.port = port;
    port.onDisconnect.addListener(() => { if (off.port === port) off.port = null; });
    const w = off.waiters.splice(0);
    for (const fn of w) fn(port);
  }

  async function offscreenPort() {
    if (off.port) return off.port;
    const wait = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new TBError('clipboard_failed', 'the clipboard helper did not start')), 5000);
      off.waiters.push((p) => { clearTimeout(t); resolve(p); });
    });
    let has = false;
    try { has = await api.offscreen.hasDocument(); } catch (_) { has = false; }
    if (has) { try { await api.offscreen.closeDocument(); } catch (_) { /* ignore */ } }
    await api.offscreen.createDocument({
      url: OFFSCREEN_PATH, reasons: ['CLIPBOARD'],
      justification: 'Copy a token the user asked to copy and clear it from the clipboard after 30 seconds.',
    });
    return wait;
  }

  // Clear after 30 s only if the clipboard still holds what we copied (compared by SHA-256 digest; the
  // value itself is not kept). Chromium: the offscreen document does it. Firefox: the event page may be
  // unloaded after ~30 s idle, exactly when the clear is due, so the digest is kept in storage.session
  // (memory only) and an alarm wakes the page; a plain timer covers the case where it stays alive.
  const CLIP_ALARM = 'tb-clipboard-clear';
  const CLIP_KEY = 'clipboardClear';
  let clearTimer = null;
  let clipPending = null; // {digest, due}
  async function clipboardCopy(text) {
    if (typeof text !== 'string' || !text) throw new TBError('host_error', 'the host returned no value to copy');
    if (api.offscreen && api.offscreen.createDocument) {
      const port = await offscreenPort();
      port.postMessage({ type: 'copy', text, clearAfterMs: CLIPBOARD_CLEAR_MS });
      return;
    }
    // Firefox: the background page has a DOM, clipboardWrite and clipboardRead.
    await writeClipboard(text);
    await armClear(await sha256hex(text));
  }

  async function armClear(digest) {
    const due = Date.now() + CLIPBOARD_CLEAR_MS;
    clipPending = { digest, due };
    try { if (api.storage && api.storage.session) await api.storage.session.set({ [CLIP_KEY]: clipPending }); } catch (_) { /* memory copy still works */ }
    if (clearTimer) clearTimeout(clearTimer);
    clearTimer = setTimeout(() => { clearTimer = null; clearIfStill(); }, CLIPBOARD_CLEAR_MS);
    try { if (api.alarms) await api.alarms.create(CLIP_ALARM, { when: due }); } catch (_) { /* timer only */ }
  }

  async function writeClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch (_) { /* fall back below */ }
    const d = root.document;
    if (!d) throw new TBError('clipboard_failed', 'no clipboard access in this browser');
    const ok = copyViaEvent(d, text);
    if (!ok) throw new TBError('clipboard_failed', 'the browser refused the clipboard write');
  }

  function copyViaEvent(d, text) {
    const h = (e) => { e.clipboardData.setData('text/plain', text); e.preventDefault(); };
    d.addEventListener('copy', h, true);
    try { return d.execCommand('copy'); } finally { d.removeEventListener('copy', h, true); }
  }

  async function clearIfStill() {
    let p = clipPending;
    if (!p) {
      try { const r = api.storage && api.storage.session ? await api.storage.session.get(CLIP_KEY) : null; p = r && r[CLIP_KEY]; } catch (_) { p = null; }
    }
    if (!p || typeof p.digest !== 'string') return;
    if (Date.now() + 1000 < p.due) return; // a newer copy re-armed the clear
    clipPending = null;
    if (clearTimer) { clearTimeout(clearTimer); clearTimer = null; }
    try { if (api.storage && api.storage.session) await api.storage.session.remove(CLIP_KEY); } catch (_) { /* ignore */ }
    try { if (api.alarms) await api.alarms.clear(CLIP_ALARM); } catch (_) { /* ignore */ }
    let current = null;
    try { current = await navigator.clipboard.readText(); } catch (_) { current = null; } // clipboardRead
    // Something else was copied since: leave it. Unreadable (permission refused): clear, the secret must not stay.
    if (current !== null && (await sha256hex(current)) !== p.digest) return;
    try { await navigator.clipboard.writeText(''); } catch (_) { if (root.document) copyViaEvent(root.document, ''); }
  }

  // ---------------------------------------------------------------- wiring
  if (api && api.runtime && api.runtime.onMessage) {
    api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
      handleMessage(msg, sender).then(sendResponse, (e) => sendResponse(errorReply(e)));
      return true;
    });
    // No runtime.onMessageExternal / onConnectExternal listeners: other extensions get nothing.
    if (api.runtime.onConnect) api.runtime.onConnect.addListener(onOffscreenConnect);
    if (api.alarms && api.alarms.onAlarm) api.alarms.onAlarm.addListener((a) => { if (a && a.name === CLIP_ALARM) clearIfStill(); });
  }

  // Exposed for unit tests (the background's global is not reachable from web pages or other extensions).
  root.__tokenbridgeBackground = { classify, handleMessage, mapNativeError, hostRequest, nat, capturedBy, clipboardCopy, clearIfStill };
})(typeof globalThis !== 'undefined' ? globalThis : self);
