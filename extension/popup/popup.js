// tokenbridge popup: host status, tokens, MOEX profiles, settings. Secrets never reach this page:
// copy and fill are done by the background (copy) and the Logos content script (fill).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('popupPage', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const $ = (id) => document.getElementById(id);

  const t = TB.strings.t;
  function lang() {
    try { return api.i18n.getUILanguage(); } catch (_) { return 'ru'; }
  }
  function fmtDate(d) {
    try { return d.toLocaleDateString(lang(), { year: 'numeric', month: 'short', day: 'numeric' }); } catch (_) { return d.toISOString().slice(0, 10); }
  }

  function applyI18n() {
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.getAttribute('data-i18n'));
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.getAttribute('data-i18n-placeholder'));
    document.documentElement.lang = lang().startsWith('ru') ? 'ru' : 'en';
  }

  async function send(msg) {
    try {
      const r = await api.runtime.sendMessage(msg);
      return r || { ok: false, error: { code: 'extension_error', message: 'no reply' } };
    } catch (e) {
      return { ok: false, error: { code: 'extension_error', message: String(e && e.message) } };
    }
  }

  function notice(text) {
    const n = $('notice');
    n.textContent = text;
    n.hidden = !text;
  }

  /** Every error is shown from the one table (lib/errors.js, _locales err_*). */
  const errorText = (err) => TB.errors.message(err);

  async function loadStatus() {
    const el = $('host');
    const r = await send({ type: 'tb:hello' });
    if (!r.ok) {
      el.dataset.state = 'error';
      el.textContent = t('hostStatus') + ': ' + errorText(r.error);
      return false;
    }
    el.dataset.state = r.keyring === 'ok' ? 'ok' : 'warn';
    let s = t('hostStatus') + ': ' + t('hostConnected', [String(r.version || '?'), String(r.keyring || '?')]);
    // The host reports its keyring state in hello; the advice is the same table entry as for the error.
    const kr = { locked: 'keyring_locked', timeout: 'keyring_timeout' }[r.keyring] || (r.keyring && r.keyring !== 'ok' ? 'keyring_unavailable' : '');
    if (kr) s += '\n' + errorText({ code: kr, detail: r.keyring_message || r.keyring });
    el.textContent = s;
    showWarnings(r.overrides);
    return true;
  }

  // ---- warnings under the host status: active API overrides (hello) and the capture flood guard
  const warnings = { overrides: [], limits: [] };
  function renderWarnings() {
    const el = $('warnings');
    const lines = warnings.overrides.concat(warnings.limits);
    el.textContent = lines.join('\n');
    el.hidden = lines.length === 0;
  }
  /** Every API override the host reports is a visible line: where tokens go is not silently changed. */
  function showWarnings(overrides) {
    warnings.overrides = (Array.isArray(overrides) ? overrides : []).map((o) => (o.refused
      ? t('overrideRefused', [String(o.setting), String(o.value), String(o.reason)])
      : t('overrideActive', [String(o.setting), String(o.value)])));
    renderWarnings();
  }
  /** The background's flood guard stopped automatic saving on a bank tab in the last hour. */
  async function loadCaptureLimits() {
    const r = await send({ type: 'tb:capture-limits' });
    const hits = r.ok && Array.isArray(r.hits) ? r.hits : [];
    const last = hits.length ? new Date(Math.max(...hits.map((h) => Number(h.at) || 0))) : null;
    warnings.limits = last ? [t('captureLimitHit', [String(hits.length), last.toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' })])] : [];
    renderWarnings();
  }

  function button(label, fn) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try { await fn(); } finally { b.disabled = false; }
    });
    return b;
  }

  function span(cls, text) {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function renderToken(tok) {
    const li = document.createElement('li');
    li.dataset.tokenId = tok.id;
    const head = document.createElement('div');
    head.className = 'row';
    const badge = TB.popupModel.badgeFor(tok);
    head.append(span('label', tok.label || tok.id), span('kind', tok.provider === 'tinvest' ? 'T-Invest' : String(tok.provider || '')),
      span('kind', TB.strings.kindText(tok.kind)),
      span('badge ' + badge, t('badge_' + badge)));
    li.append(head);
    const info = document.createElement('div');
    info.className = 'row muted';
    info.append(span('masked', tok.masked || ''));
    const created = Date.parse(tok.created_at || '');
    if (Number.isFinite(created)) info.append(span('', t('captured', [fmtDate(new Date(created))])));
    li.append(info);
    const names = TB.popupModel.accountNames(tok);
    const accText = names.length ? names.join(', ') : (tok.scope && tok.scope.all_accounts ? t('allAccounts') : (tok.scope && tok.scope.account_name) || '');
    if (accText) li.append(Object.assign(document.createElement('div'), { className: 'muted', textContent: t('accounts', [accText]) }));
    renderCheckState(li, tok, badge);
    const exp = TB.popupModel.expiryInfo(tok, Date.now());
    if (exp) {
      const e = document.createElement('div');
      e.className = exp.soon ? 'warn' : 'muted';
      e.textContent = t(exp.soon ? 'expiresSoon' : 'expires', [fmtDate(exp.expires)]);
      li.append(e);
    }
    const act = document.createElement('div');
    act.className = 'actions';
    // A token without access to any account is never offered for fill (the host refuses it too).
    if (badge !== 'no_access') act.append(button(t('actFill'), async () => {
      const r = await send({ type: 'tb:fill-active', token_id: tok.id });
      notice(r.ok ? t('filled') : errorText(r.error || { code: r.status, message: r.status }));
    }));
    act.append(
      button(t('actCopy'), async () => {
        const r = await send({ type: 'tb:copy', token_id: tok.id });
        notice(r.ok ? t('copied', [String(r.clear_after_s || 30)]) : errorText(r.error));
      }),
      button(t('actValidate'), async () => {
        const r = await send({ type: 'tb:validate', token_id: tok.id });
        if (!r.ok) notice(errorText(r.error));
        await loadTokens();
      }),
      button(t('actRename'), async () => { inlineRename(li, tok); }),
      button(t('actDelete'), async () => { inlineConfirm(li, deleteQuestion(tok), async () => {
        const r = await send({ type: 'tb:delete', token_id: tok.id });
        if (!r.ok) notice(errorText(r.error));
        await loadTokens();
      }); }),
    );
    li.append(usageLine(tok));
    li.append(act);
    return li;
  }

  // ---------------------------------------------------------------- where each token is used
  const REVOKE_URL = 'https://id.tbank.ru/account';
  /** «Используется: ORIGIN, …» or «Нигде не используется — можно удалить и отозвать в банке». */
  function usageLine(tok) {
    const used = TB.popupModel.usedAt(tok);
    const el = document.createElement('div');
    el.className = 'muted usage';
    el.dataset.usedBy = used.map((u) => u.origin).join(' ');
    el.textContent = used.length ? t('usedAt', [used.map((u) => u.origin.replace(/^https:\/\//, '')).join(', ')]) : t('usedNowhere', [REVOKE_URL]);
    return el;
  }
  function deleteQuestion(tok) {
    const q = t('confirmDelete', [tok.label || tok.id]);
    return TB.popupModel.usedAt(tok).length ? q : q + ' ' + t('revokeHint', [REVOKE_URL]);
  }
  /** «Где какой токен»: per origin the token it holds (most recent use). */
  function renderOrigins(tokens) {
    const ul = $('origins');
    ul.textContent = '';
    const rows = TB.popupModel.tokenPerOrigin(tokens);
    for (const r of rows) {
      const li = document.createElement('li');
      li.dataset.origin = r.origin;
      li.dataset.tokenId = r.tokenId;
      li.className = 'row';
      li.append(span('label', r.origin.replace(/^https:\/\//, '')), span('kind', r.label));
      ul.append(li);
    }
    $('origins-section').hidden = rows.length === 0;
  }

  /**
   * The last check beyond the badge: no_access's own message; a failed check shows the kept verdict's
   * date ("last checked OK on DATE") and the failure (certificate: the host's message names host, issuer, fix).
   */
  function renderCheckState(li, tok, badge) {
    const line = (cls, text) => li.append(Object.assign(document.createElement('div'), { className: cls, textContent: text }));
    if (badge === 'no_access') line('warn check-state', errorText({ code: 'no_access' }));
    const f = TB.popupModel.checkFailure(tok);
    if (!f) return;
    const why = f.code === 'certificate' ? t('checkFail_certificate', [f.message])
      : f.code === 'server' ? t('checkFail_server', [f.message])
        : f.code === 'other' ? f.message : t('checkFail_' + f.code);
    const failed = f.lastOk ? t('checkFailedAt', [f.failedAt ? fmtDate(f.failedAt) : '?', why]) : t('checkFailedNoVerdict', [why]);
    line('warn check-state', f.lastOk ? t('lastCheckedOk', [fmtDate(f.lastOk)]) + ' · ' + failed : failed);
    li.dataset.checkFailure = f.code;
  }

  // Inline editors: extension popups do not reliably support prompt()/confirm() (Firefox does not).
  function inlinePanel(li) {
    const old = li.querySelector('.inline');
    if (old) old.remove();
    const p = document.createElement('div');
    p.className = 'inline actions';
    li.append(p);
    return p;
  }
  function inlineRename(li, tok) {
    const p = inlinePanel(li);
    const input = document.createElement('input');
    input.type = 'text';
    input.maxLength = 100;
    input.value = tok.label || '';
    input.setAttribute('aria-label', t('renamePrompt'));
    p.append(input, button(t('addButton'), async () => {
      const name = TB.label.usable(input.value);
      if (!name) { notice(errorText({ code: 'bad_label' })); return; }
      const r = await send({ type: 'tb:update', token_id: tok.id, label: name });
      if (!r.ok) notice(errorText(r.error));
      await loadTokens();
    }), button('×', async () => { p.remove(); }));
    input.focus();
  }
  function inlineConfirm(li, question, onYes) {
    const p = inlinePanel(li);
    p.append(span('warn', question), document.createElement('br'),
      button(t('actDelete'), onYes), button('×', async () => { p.remove(); }));
  }

  async function loadTokens() {
    const ul = $('tokens');
    const r = await send({ type: 'tb:list' });
    ul.textContent = '';
    if (!r.ok) { $('no-tokens').hidden = true; return; }
    const tokens = r.tokens.slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    for (const tok of tokens) ul.append(renderToken(tok));
    renderOrigins(tokens);
    $('no-tokens').hidden = tokens.length > 0;
  }

  async function loadMoex() {
    const ul = $('moex');
    const r = await send({ type: 'tb:moex-list' });
    ul.textContent = '';
    if (!r.ok) { $('no-moex').hidden = true; return; }
    for (const p of r.profiles) {
      const li = document.createElement('li');
      const head = document.createElement('div');
      head.className = 'row';
      const st = ['ok', 'expired', 'no_token'].includes(p.status) ? p.status : 'unknown';
      li.dataset.moexProfile = String(p.name || '');
      head.append(span('label', String(p.name || '')), span('kind', String(p.environment || p.env || '')), span('badge moex-' + st, t('moexStatus_' + st)));
      li.append(head);
      for (const [key, label] of [['access_expires_at', 'moexAccess'], ['refresh_expires_at', 'moexRefresh']]) {
        const exp = Date.parse(p[key] || '');
        if (Number.isFinite(exp)) li.append(Object.assign(document.createElement('div'), { className: 'muted', textContent: t(label) + ': ' + t('moexExpires', [new Date(exp).toLocaleString(lang())]) }));
      }
      const act = document.createElement('div');
      act.className = 'actions';
      act.append(button(t('moexCopy'), async () => {
        const res = await send({ type: 'tb:moex-copy', name: p.name });
        if (!res.ok) { notice(errorText(res.error)); return; }
        const copied = t('copied', [String(res.clear_after_s || 30)]);
        notice(res.warning ? copied + ' ' + t('moexWarning', [String(res.warning)]) : copied);
      }));
      li.append(act);
      ul.append(li);
    }
    $('no-moex').hidden = r.profiles.length > 0;
  }

  async function loadSettings() {
    const got = await api.storage.local.get('settings');
    const s = TB.core.withDefaults(got && got.settings);
    for (const k of Object.keys(TB.core.DEFAULT_SETTINGS)) {
      const box = $('set-' + k);
      box.checked = !!s[k];
      box.addEventListener('change', async () => {
        const cur = TB.core.withDefaults(((await api.storage.local.get('settings')) || {}).settings);
        cur[k] = box.checked;
        await api.storage.local.set({ settings: cur }); // settings only, never tokens
      });
    }
  }

  $('add').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const secretEl = $('add-secret');
    const value = secretEl.value.trim();
    const label = $('add-label').value.trim();
    const kind = $('add-kind').value;
    const r = await send({ type: 'tb:store', secret: value, label: label || undefined, kind });
    secretEl.value = '';
    if (r.ok) {
      $('add-label').value = '';
      $('add-kind').value = 'unknown';
      notice(r.created === false ? t('addedExisting') : t('added'));
      await loadTokens();
      // Check it right away: the host learns the real access level (and the accounts) from T-Invest.
      if (r.token && typeof r.token.id === 'string') {
        const v = await send({ type: 'tb:validate', token_id: r.token.id });
        if (!v.ok) notice(errorText(v.error));
        await loadTokens();
      }
    } else {
      notice(errorText(r.error));
    }
  });

  // ---------------------------------------------------------------- sites of the optional fill rules
  // A built-in rule for a site other than Logos runs only after the user turns it on here: the browser's
  // own prompt for the site (optional_host_permissions; must be asked right in the click), then the
  // background allows the origin in the host and registers the fill script (background/sites.js).
  const ISSUE_URL = 'https://www.tbank.ru/invest/settings/';
  let siteTokens = null; // the token list, to tell whether a read-only token exists

  function siteRow(site) {
    const li = document.createElement('li');
    li.dataset.site = site.id;
    li.dataset.enabled = String(!!site.enabled);
    const head = document.createElement('div');
    head.className = 'row';
    head.append(span('label', site.name), span('kind', site.origins.join(', ')),
      span('badge ' + (site.enabled ? 'full_access' : 'unchecked'), t(site.enabled ? 'siteOn' : 'siteOff')));
    li.append(head);
    const hasRo = (siteTokens || []).some((tok) => TB.popupModel.badgeFor(tok) === 'readonly' || (tok.kind === 'readonly' && TB.popupModel.badgeFor(tok) === 'unchecked'));
    const act = document.createElement('div');
    act.className = 'actions';
    if (site.prefers === 'readonly') {
      li.append(Object.assign(document.createElement('div'), { className: hasRo ? 'muted' : 'warn', textContent: t(hasRo ? 'sitePrefersReadonly' : 'siteNoReadonly', [site.name]) }));
      if (!hasRo) act.append(button(t('siteIssueReadonly'), async () => { await api.tabs.create({ url: ISSUE_URL }); }));
    }
    act.append(button(t(site.enabled ? 'siteDisable' : 'siteEnable'), async () => {
      if (site.enabled) {
        const r = await send({ type: 'tb:site-disable', rule_id: site.id });
        notice(r.ok ? t('siteDisabled', [site.name]) : errorText(r.error));
      } else {
        // Asked first thing in the click: the browser shows its prompt only for a user action.
        let granted = false;
        try { granted = await api.permissions.request(site.permissions); } catch (e) { granted = false; }
        const r = await send({ type: 'tb:site-enable', rule_id: site.id });
        notice(r.ok ? t('siteEnabled', [site.name]) : errorText(r.error || { code: 'site_permission', detail: String(granted) }));
      }
      await loadSites();
    }));
    li.append(act);
    return li;
  }

  async function loadSites() {
    const ul = $('sites');
    const [r, l] = await Promise.all([send({ type: 'tb:sites' }), siteTokens ? null : send({ type: 'tb:list' })]);
    if (l && l.ok) siteTokens = l.tokens;
    ul.textContent = '';
    $('sites-section').hidden = !r.ok; // the host status line already says why
    if (!r.ok) return;
    for (const site of r.sites) ul.append(siteRow(site));
  }

  // ---------------------------------------------------------------- user-driven fill and the fill allowlist
  // «Вставить в поле на этой странице» (and the context menu's question, kept by the background): the
  // first fill into an origin asks here, in the extension's own UI; the answer goes to the host's allowlist.
  function askPanel(text, yesLabel, onYes) {
    const p = $('ask');
    p.textContent = '';
    p.append(span('warn', text), document.createElement('br'), button(yesLabel, async () => { p.hidden = true; await onYes(); }),
      button(t('askCancel'), async () => { p.hidden = true; await onNo(); }));
    p.hidden = false;
  }
  let onNo = async () => {};
  const closeIfAsked = () => { if (/[?&]ask=/.test(location.search)) setTimeout(() => window.close(), 1500); };

  /** Show the outcome of a fill reply: done, a question (origin / full access), or the error. */
  function fillOutcome(r, again) {
    if (r.ok) { notice(t('filledHere', [String(r.origin || '').replace(/^https:\/\//, '')])); loadFillOrigins(); loadTokens(); closeIfAsked(); return; }
    if (r.ask === 'origin') { askPanel(t('askOrigin', [r.origin]), t('askAllow'), () => again(true, false)); return; }
    if (r.ask === 'full_access') { askPanel(t('askFull', [r.site || r.origin, (r.token && r.token.label) || '']), t('askFullYes'), () => again(true, true)); return; }
    notice(errorText(r.error));
    closeIfAsked();
  }

  function fillHere() {
    notice('');
    const again = async (yes, fullOk) => fillOutcome(await send({ type: 'tb:user-fill-answer', tab_id: null, yes, full_ok: fullOk }), again);
    onNo = async () => {};
    return send({ type: 'tb:user-fill' }).then((r) => fillOutcome(r, again));
  }

  async function loadWaiting() {
    const r = await send({ type: 'tb:user-fill-waiting' });
    const w = r.ok && r.waiting;
    if (!w) return;
    if (w.error) { notice(errorText(w.error)); await send({ type: 'tb:user-fill-answer', tab_id: w.tab_id, yes: false }); return; }
    const again = async (yes, fullOk) => fillOutcome(await send({ type: 'tb:user-fill-answer', tab_id: w.tab_id, yes, full_ok: fullOk }), again);
    onNo = async () => { await send({ type: 'tb:user-fill-answer', tab_id: w.tab_id, yes: false }); closeIfAsked(); };
    fillOutcome({ ok: false, ask: w.ask, origin: w.origin, site: w.site, token: w.token }, again);
  }

  async function loadFillOrigins() {
    const r = await send({ type: 'tb:fill-origins' });
    const ul = $('fill-origins');
    ul.textContent = '';
    $('fill-origins-section').hidden = !r.ok;
    if (!r.ok) return;
    for (const o of r.builtin) {
      const li = document.createElement('li');
      li.className = 'row';
      li.dataset.fillOrigin = o;
      li.append(span('label', o), span('kind', t('fillOriginBuiltin')));
      ul.append(li);
    }
    for (const o of r.added) {
      const li = document.createElement('li');
      li.className = 'row';
      li.dataset.fillOrigin = o;
      li.dataset.added = 'true';
      li.append(span('label', o), button(t('fillOriginRemove'), async () => {
        const x = await send({ type: 'tb:fill-origin-remove', origin: o });
        if (!x.ok) notice(errorText(x.error));
        await loadFillOrigins();
        await loadSites();
      }));
      ul.append(li);
    }
  }

  $('fill-here-btn').addEventListener('click', () => { fillHere(); });

  applyI18n();
  loadSettings();
  loadStatus().then((ok) => { if (ok) { loadTokens(); loadMoex(); loadCaptureLimits(); loadSites(); loadFillOrigins(); loadWaiting(); } });
  return {};
});
