// tokenbridge background: what each sender may ask (one handler per role), the input checks, and the
// per-tab capture bookkeeping (memory only, never secrets; the flood guard's refusals — times and
// origins only — in storage.session so the popup can tell the user).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('handlers', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const host = (cmd, fields) => TB.native.request(cmd, fields);
  const fail = TB.errors.fail;
  // The flood guard, a last resort only (the content script stores a token only after a real user action):
  // past CAPTURE_LIMIT distinct tokens per broker tab in CAPTURE_WINDOW_MS a token is stored only when the
  // user confirms it with a trusted click in the page's box (`confirmed`); every refusal is shown there and
  // recorded for the popup (LIMIT_KEY).
  const CAPTURE_LIMIT = 20;
  const CAPTURE_WINDOW_MS = 10 * 60 * 1000;
  const LIMIT_KEY = 'captureLimitHits';
  const LIMIT_KEEP_MS = 60 * 60 * 1000; // the popup mentions refusals of the last hour
  const KINDS = ['full_access', 'readonly', 'sandbox', 'unknown'];
  const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

  // ---------------------------------------------------------------- input checks
  const bad = (msg) => fail('bad_request', msg);
  function tokenId(v) {
    if (typeof v !== 'string' || !ID_RE.test(v)) throw bad('token_id must be 1..64 characters [A-Za-z0-9_.:-]');
    return v;
  }
  /** A label the user typed (popup): cleaned (lib/label.js); refused only when nothing visible is left. */
  function label(v) {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || v.length > 4000) throw bad('label must be a string of at most 4000 characters (it is then cleaned and cut to 100)');
    const c = TB.label.usable(v);
    if (!c) throw fail('bad_label', 'the label is empty or invisible after removing invisible characters');
    return c;
  }
  /** A label or account name read from the bank page: cleaned; never a reason to refuse a capture. */
  function pageText(v) {
    return typeof v === 'string' ? TB.label.usable(v) || undefined : undefined;
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
    if (typeof name !== 'string' || name.length > 4000) throw bad('scope.account_name must be a string');
    return { all_accounts: v.all_accounts, account_name: v.all_accounts ? '' : TB.label.usable(name) };
  }
  function secret(v) {
    if (typeof v === 'string' && v.length > TB.token.MAX_LENGTH) throw fail('too_large', 'the value is longer than ' + TB.token.MAX_LENGTH + ' characters');
    if (!TB.token.isTokenShape(v)) throw bad('the value is not a T-Invest token (t. followed by 60..' + (TB.token.MAX_LENGTH - 2) + ' characters A-Z a-z 0-9 _ -)');
    return v;
  }
  function tabIdOf(v) {
    if (!Number.isInteger(v) || v < 0) throw bad('tab_id must be a tab number');
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
    const failure = v && v.last_failure && typeof v.last_failure === 'object' ? v.last_failure : null;
    return {
      id: t.id, label: t.label, kind: t.kind, masked: t.masked,
      validation: v ? strip({
        result: v.result, accounts: Array.isArray(v.accounts) ? v.accounts.length : 0,
        // why a check got no verdict (certificate, network, …) and the host's message (no secret in it)
        code: typeof v.code === 'string' ? v.code : failure && typeof failure.code === 'string' ? failure.code : undefined,
        message: v.result === 'upstream' && typeof v.message === 'string' ? v.message : undefined,
      }) : undefined,
    };
  }

  // ---------------------------------------------------------------- capture bookkeeping (memory only)
  const capturedBy = new Map(); // tabId -> Set(token ids stored from that tab)
  const captureLog = new Map(); // tabId -> [{fp, at}] (digests of stored secrets, never the secrets)
  function rememberCapture(tabId, id) {
    if (!capturedBy.has(tabId)) capturedBy.set(tabId, new Set());
    capturedBy.get(tabId).add(id);
  }
  /**
   * The flood guard: a broker tab's distinct tokens within CAPTURE_WINDOW_MS, past CAPTURE_LIMIT refused
   * (capture_limit) unless the user confirmed this one in the page's box. A refusal is recorded for the popup.
   */
  async function checkCaptureRate(tabId, origin, secretValue, confirmed) {
    const fp = await TB.token.digest(secretValue);
    const now = Date.now();
    const list = (captureLog.get(tabId) || []).filter((e) => now - e.at < CAPTURE_WINDOW_MS);
    if (!list.some((e) => e.fp === fp)) {
      if (list.length >= CAPTURE_LIMIT && !confirmed) {
        captureLog.set(tabId, list);
        await recordLimitHit(origin, now);
        throw fail('capture_limit', 'this tab already stored ' + CAPTURE_LIMIT + ' tokens in the last 10 minutes; this one is stored only when the user confirms it in the page');
      }
      list.push({ fp, at: now });
    }
    captureLog.set(tabId, list);
  }
  const session = () => (api && api.storage && api.storage.session) || null;
  let limitHits = []; // memory copy: [{at, origin}] (no secrets, no digests)
  async function limitHitsNow() {
    const s = session();
    if (s) {
      try { const r = await s.get(LIMIT_KEY); if (r && Array.isArray(r[LIMIT_KEY])) limitHits = r[LIMIT_KEY]; } catch (_) { /* memory copy */ }
    }
    const now = Date.now();
    limitHits = limitHits.filter((h) => h && now - h.at < LIMIT_KEEP_MS).slice(-50);
    return limitHits;
  }
  async function recordLimitHit(origin, at) {
    const hits = (await limitHitsNow()).concat([{ at, origin }]).slice(-50);
    limitHits = hits;
    const s = session();
    if (s) { try { await s.set({ [LIMIT_KEY]: hits }); } catch (_) { /* memory copy still works */ } }
  }

  // ---------------------------------------------------------------- the last user action per broker tab
  // The bank may fully reload its page between «Выпустить токен» and «Токен выпущен» (a re-login): the
  // content script reports each real user action (tb:user-action, no content; it throttles to 1/s) and a
  // new page load asks for its tab's last one (tb:last-user-action). Time and key are decided here, from
  // `sender` only: `${tabId} ${origin}`, so a look-alike origin or another tab never lends its actions.
  // In memory and in storage.session (no secret: a time per tab), so a Chromium worker restart or a
  // Firefox event-page unload keeps it; entries older than ACTION_KEEP_MS are dropped.
  const ACTION_KEY = 'userActions';
  const ACTION_KEEP_MS = 10 * 60 * 1000; // = lib/capture-flow.js POLICY.crossLoadWindowMs (background.test.js checks the background keeps an action exactly that long)
  const ACTION_MAX = 200; // tabs remembered at most (the oldest go first)
  let actionsLoad = null; // Promise(Map key -> at), read from storage.session once per background start
  function userActions() {
    if (!actionsLoad) {
      actionsLoad = (async () => {
        const m = new Map();
        const s = session();
        if (s) {
          try {
            const r = await s.get(ACTION_KEY);
            const o = r && r[ACTION_KEY];
            if (o && typeof o === 'object') for (const k of Object.keys(o)) if (Number.isFinite(o[k])) m.set(k, o[k]);
          } catch (_) { /* memory only */ }
        }
        return m;
      })();
    }
    return actionsLoad.then((m) => {
      const now = Date.now();
      for (const [k, at] of m) if (now - at > ACTION_KEEP_MS || at > now + 60000) m.delete(k);
      return m;
    });
  }
  const actionKey = (who) => who.tabId + ' ' + who.origin;
  async function rememberAction(who) {
    const m = await userActions();
    const key = actionKey(who);
    m.delete(key); // re-insert: the Map keeps the newest last
    m.set(key, Date.now());
    while (m.size > ACTION_MAX) m.delete(m.keys().next().value);
    const s = session();
    if (s) { try { await s.set({ [ACTION_KEY]: Object.fromEntries(m) }); } catch (_) { /* memory copy still works */ } }
  }
  /** How long ago this tab's last user action on this origin was (ms), or null. */
  async function lastActionAge(who) {
    const at = (await userActions()).get(actionKey(who));
    return at === undefined ? null : Math.max(0, Date.now() - at);
  }

  /** hello's overrides, in the documented shape only ({setting, value, reason, refused}). */
  function overrides(list) {
    if (!Array.isArray(list)) return [];
    return list.filter((o) => o && typeof o === 'object').slice(0, 10).map((o) => ({
      setting: String(o.setting || '').slice(0, 100), value: String(o.value || '').slice(0, 300),
      reason: String(o.reason || '').slice(0, 300), refused: o.refused === true,
    }));
  }

  // ---------------------------------------------------------------- one handler per sender role
  const broker = {
    async 'tb:capture'(msg, who) {
      await checkCaptureRate(who.tabId, who.origin, secret(msg.secret), msg.confirmed === true);
      const r = await host('store', strip({
        provider: 'tinvest', secret: secret(msg.secret), label: pageText(msg.label), kind: kind(msg.kind),
        scope: scope(msg.scope), source_origin: who.origin,
      }));
      if (r.token && typeof r.token.id === 'string') rememberCapture(who.tabId, r.token.id);
      return { ok: true, created: r.created !== false, token: captureMeta(r.token) };
    },
    /** A real user action on the bank page just now (the message carries nothing else). */
    async 'tb:user-action'(msg, who) {
      await rememberAction(who);
      return { ok: true };
    },
    /** This tab's last user action on this bank origin: its age in ms, or null (none in ACTION_KEEP_MS). */
    async 'tb:last-user-action'(msg, who) {
      return { ok: true, age_ms: await lastActionAge(who) };
    },
    async 'tb:validate'(msg, who) {
      const id = tokenId(msg.token_id);
      const mine = capturedBy.get(who.tabId);
      if (!mine || !mine.has(id)) {
        // The worker may have restarted: accept only a token that this origin stored.
        const l = await TB.native.listAll({ provider: 'tinvest' });
        const t = (l.tokens || []).find((x) => x && x.id === id);
        if (!t || t.source_origin !== who.origin) throw fail('not_allowed', 'this page may only check the token it just captured');
      }
      const r = await host('validate', { token_id: id });
      return { ok: true, token: captureMeta(r.token) };
    },
  };

  const logos = {
    async 'tb:fill-candidates'() {
      const r = await TB.native.listAll({ provider: 'tinvest' });
      return { ok: true, tokens: (r.tokens || []).map(fillMeta).filter(Boolean) };
    },
    async 'tb:fill-secret'(msg, who) {
      // The host checks that this origin may receive this provider's token; the reply goes back
      // only to this sender (sendResponse), i.e. this tab's top frame.
      const r = await host('get', { token_id: tokenId(msg.token_id), purpose: 'fill', origin: who.origin });
      if (typeof r.secret !== 'string') throw fail('host_error', 'the host answered get without a secret');
      return { ok: true, secret: r.secret, token: fillMeta(r.token) };
    },
    async 'tb:record-use'(msg, who) {
      const r = await host('record_use', { token_id: tokenId(msg.token_id), origin: who.origin });
      return { ok: true, token: fillMeta(r.token) };
    },
  };

  const clearAfter = () => TB.clipboard.CLEAR_MS / 1000;
  const popup = {
    async 'tb:hello'() {
      const r = await host('hello', {});
      return { ok: true, protocol: r.protocol, version: r.version, keyring: r.keyring, keyring_message: r.keyring_message, overrides: overrides(r.overrides) };
    },
    /** The flood guard's refusals of the last hour: [{at, origin}] (the popup shows a line). */
    async 'tb:capture-limits'() {
      return { ok: true, hits: (await limitHitsNow()).map((h) => ({ at: h.at, origin: h.origin })) };
    },
    async 'tb:list'() {
      const r = await TB.native.listAll({});
      return { ok: true, tokens: Array.isArray(r.tokens) ? r.tokens : [] };
    },
    async 'tb:validate'(msg) {
      const r = await host('validate', { token_id: tokenId(msg.token_id) });
      return { ok: true, token: r.token };
    },
    async 'tb:update'(msg) {
      const r = await host('update', strip({ token_id: tokenId(msg.token_id), label: label(msg.label), kind: kind(msg.kind) }));
      return { ok: true, token: r.token };
    },
    async 'tb:delete'(msg) {
      await host('delete', { token_id: tokenId(msg.token_id) });
      return { ok: true, deleted: true };
    },
    async 'tb:store'(msg) {
      const r = await host('store', strip({
        provider: 'tinvest', secret: secret(typeof msg.secret === 'string' ? msg.secret.trim() : msg.secret),
        label: label(msg.label), kind: kind(msg.kind), scope: scope(msg.scope),
      }));
      return { ok: true, created: r.created !== false, token: r.token };
    },
    async 'tb:copy'(msg) {
      const r = await host('get', { token_id: tokenId(msg.token_id), purpose: 'copy' });
      await TB.clipboard.copy(r.secret);
      return { ok: true, clear_after_s: clearAfter() };
    },
    'tb:fill-active': (msg) => fillActiveTab(tokenId(msg.token_id)),
    // Optional fill rules' sites (background/sites.js); the popup asked the browser's permission first.
    async 'tb:sites'() { return { ok: true, sites: await TB.sites.list(host) }; },
    'tb:site-enable': (msg) => TB.sites.enable(msg.rule_id, host),
    'tb:site-disable': (msg) => TB.sites.disable(msg.rule_id, host),
    // User-driven fill into the active tab's chosen field (background/userfill.js) and the fill allowlist.
    async 'tb:user-fill'(msg) {
      return TB.userFill.fill(host, await TB.userFill.activeTab(), { tokenId: msg.token_id === undefined ? undefined : tokenId(msg.token_id), fullOk: msg.full_ok === true });
    },
    async 'tb:user-fill-waiting'() { return { ok: true, waiting: TB.userFill.waiting() }; },
    'tb:user-fill-answer': (msg) => TB.userFill.answer(host, msg.tab_id == null ? null : tabIdOf(msg.tab_id), msg.yes === true, msg.full_ok === true),
    async 'tb:fill-origins'() {
      const r = await host('list_fill_origins', { provider: 'tinvest' });
      return { ok: true, builtin: r.builtin || [], added: r.added || [] };
    },
    async 'tb:fill-origin-remove'(msg) {
      if (typeof msg.origin !== 'string' || msg.origin.length > 300) throw bad('origin must be an https origin');
      const r = await host('remove_fill_origin', { provider: 'tinvest', origin: msg.origin });
      return { ok: true, builtin: r.builtin || [], added: r.added || [] };
    },
    async 'tb:moex-list'() {
      const r = await host('moex_list', {});
      return { ok: true, profiles: Array.isArray(r.profiles) ? r.profiles : [] };
    },
    async 'tb:moex-copy'(msg) {
      const r = await host('moex_token', { name: profileName(msg.name), purpose: 'copy' });
      await TB.clipboard.copy(r.access_token);
      const reply = { ok: true, expires_at: r.expires_at, clear_after_s: clearAfter() };
      // The host warns when MOEX reported the saved refresh token as already used (someone else may
      // hold the session): the user must see it, not only the log.
      if (typeof r.warning === 'string' && r.warning) reply.warning = r.warning.slice(0, 2000);
      return reply;
    },
  };

  const ROLES = {
    broker: { table: broker, refused: 'message type not allowed from the broker page' },
    logos: { table: logos, refused: 'message type not allowed from the Logos page' },
    popup: { table: popup, refused: 'unknown message type' },
  };

  /**
   * Ask the active tab's Logos content script to fill (it then requests the secret itself, and the
   * background checks THAT sender). The request carries no secret. Without the "tabs" permission the
   * tab URL may be hidden; then only our Logos content script can answer (no other content script
   * of ours listens for tb:fill-request).
   */
  async function fillActiveTab(id) {
    const tabs = await api.tabs.query({ active: true, currentWindow: true });
    const tab = tabs && tabs[0];
    const noTab = () => fail('no_logos_tab', 'the active tab is not a Logos profile page with tokenbridge running');
    if (!tab || typeof tab.id !== 'number') throw noTab();
    if (tab.url && !TB.senders.isFillUrl(tab.url)) throw noTab();
    let r;
    try {
      r = await api.tabs.sendMessage(tab.id, { type: 'tb:fill-request', token_id: id }, { frameId: 0 });
    } catch (_) {
      throw noTab();
    }
    if (!r || typeof r !== 'object') throw noTab();
    if (r.ok) return { ok: true, status: String(r.status || 'filled') };
    const status = String(r.status || 'error');
    const err = r.error && typeof r.error === 'object' ? r.error : { code: String(r.status || 'fill_failed'), message: 'the Logos page could not be filled: ' + String(r.status || 'unknown') };
    return Object.assign(TB.errors.reply(fail(TB.errors.codeOf(err), err.detail || err.message)), { status });
  }

  /** One message from a sender: the reply ({ok:true, …} or {ok:false, error:{code, detail, message}}). */
  async function handleMessage(msg, sender) {
    const who = TB.senders.classify(sender);
    if (!who) return TB.errors.reply(fail('not_allowed', 'sender not allowed'));
    // A site of an optional fill rule is served only while the user has it turned on.
    if (who.rule && !(await TB.sites.active(who.rule))) return TB.errors.reply(fail('not_allowed', 'this site is not turned on in the tokenbridge popup'));
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return TB.errors.reply(bad('message must be an object with a type'));
    const role = ROLES[who.role];
    try {
      const h = Object.prototype.hasOwnProperty.call(role.table, msg.type) ? role.table[msg.type] : null;
      if (!h) throw fail('not_allowed', role.refused);
      return await h(msg, who);
    } catch (e) {
      return TB.errors.reply(e);
    }
  }

  return { handleMessage, capturedBy };
});
