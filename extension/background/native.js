// tokenbridge background: the one native-messaging port to the host (dev.tokenbridge.host) with request
// ids, per-command timeouts and reconnect on disconnect.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('native', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const HOST_NAME = 'dev.tokenbridge.host';
  // How long the background waits for each command (ms). Each is longer than the host's own deadline
  // for that command (host/PROTOCOL.md, "Limits"), so the host's error, which names the cause, arrives first.
  const TIMEOUT_MS = Object.freeze({ default: 15000, validate: 60000, moex_token: 45000, moex_list: 15000 });
  const fail = TB.errors.fail;

  /** Map a browser native-messaging error text to a stable code (the advice is in the error table). */
  function mapNativeError(text) {
    const t = String(text || '').slice(0, 200);
    if (/not found|No such native application|is not installed/i.test(t) && !/forbidden/i.test(t)) {
      return fail(/does not have permission/i.test(t) ? 'host_forbidden' : 'host_missing', t);
    }
    if (/forbidden|does not have permission|not allowed/i.test(t)) return fail('host_forbidden', t);
    if (/exited/i.test(t)) return fail('host_exited', t);
    if (/exceeds|too large/i.test(t)) return fail('host_protocol', t);
    return fail('host_error', 'native messaging failed: ' + t);
  }

  const nat = { port: null, pending: new Map(), seq: 0 };

  function settle(port, id) {
    const p = nat.pending.get(id);
    if (!p || p.port !== port) return null;
    nat.pending.delete(id);
    clearTimeout(p.timer);
    return p;
  }

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
      const p = settle(port, msg.id);
      if (!p) return;
      if (msg.ok === true) { p.resolve(msg); return; }
      const err = msg.error && typeof msg.error === 'object' ? msg.error : {};
      const code = typeof err.code === 'string' && /^[a-z_]{1,40}$/.test(err.code) ? err.code : 'host_error';
      const detail = typeof err.message === 'string' ? err.message.slice(0, 500) : 'the host reported an error without a message';
      p.reject(fail(code, detail));
    });
    port.onDisconnect.addListener((pt) => {
      const le = api.runtime.lastError;
      const text = (le && le.message) || (pt && pt.error && pt.error.message) || 'Native host has exited.';
      if (nat.port === port) nat.port = null;
      const e = mapNativeError(text);
      for (const id of Array.from(nat.pending.keys())) {
        const p = settle(port, id);
        if (p) p.reject(e);
      }
    });
    return port;
  }

  /** Send one request to the host; resolves with the reply (ok:true) or rejects with a coded error. */
  function request(cmd, fields) {
    return new Promise((resolve, reject) => {
      let port;
      try { port = nat.port || connect(); } catch (e) { reject(e); return; }
      const id = 'r' + (++nat.seq) + '-' + Date.now().toString(36);
      const ms = TIMEOUT_MS[cmd] || TIMEOUT_MS.default;
      const timer = setTimeout(() => {
        nat.pending.delete(id);
        reject(fail('host_timeout', '"' + cmd + '" got no answer within ' + Math.round(ms / 1000) + ' s'));
      }, ms);
      nat.pending.set(id, { resolve, reject, timer, port });
      try {
        port.postMessage(Object.assign({ id, cmd }, fields || {}));
      } catch (e) {
        settle(port, id);
        if (nat.port === port) nat.port = null;
        reject(mapNativeError(e && e.message));
      }
    });
  }

  // `list` is paged (host/PROTOCOL.md: at most 40 tokens per answer, next_offset while more remain). The host
  // keeps at most 1000 tokens and every page but the last holds one, so more pages means a confused host.
  const MAX_LIST_PAGES = 1001;

  /**
   * `list` with every page: follows next_offset (sent only past the first page, so an older host that does
   * not page still answers), keeps each id once (a token stored or deleted between two pages shifts the
   * later ones by one). Resolves with {tokens}; a next_offset that does not move forward is host_protocol.
   */
  async function listAll(fields) {
    const tokens = [];
    const seen = new Set();
    let offset = 0;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const r = await request('list', offset ? Object.assign({}, fields, { offset }) : fields);
      for (const t of Array.isArray(r.tokens) ? r.tokens : []) {
        if (t && typeof t.id === 'string') {
          if (seen.has(t.id)) continue;
          seen.add(t.id);
        }
        tokens.push(t);
      }
      if (r.next_offset === undefined || r.next_offset === null) return { tokens };
      if (!Number.isInteger(r.next_offset) || r.next_offset <= offset) {
        throw fail('host_protocol', 'list answered next_offset ' + String(r.next_offset).slice(0, 20) + ' after offset ' + offset);
      }
      offset = r.next_offset;
    }
    throw fail('host_protocol', 'list answered more than ' + MAX_LIST_PAGES + ' pages');
  }

  return { mapNativeError, request, listAll, nat };
});
