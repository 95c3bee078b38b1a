// tokenbridge: pure helpers for the popup (dates, badges). No extension APIs.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('popupModel', (TB) => {
  'use strict';

  /** Add n calendar months (clamped to the month's last day), in UTC. */
  function addMonths(date, n) {
    const d = new Date(date.getTime());
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + n);
    const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, last));
    return d;
  }

  /**
   * T-Invest tokens expire three months after their last use. Returns {expires: Date, daysLeft, soon}:
   * the host's estimate (`expires_estimate`, `expires_in_days`, `expires_soon`, host/PROTOCOL.md) when it
   * sent one, else computed the same way from last_used_at (or created_at); null when no date parses.
   */
  function expiryInfo(token, now) {
    const est = Date.parse((token && token.expires_estimate) || '');
    if (Number.isFinite(est)) {
      const days = Number.isInteger(token.expires_in_days) ? token.expires_in_days : Math.floor((est - (now || Date.now())) / 86400000);
      return { expires: new Date(est), daysLeft: days, soon: typeof token.expires_soon === 'boolean' ? token.expires_soon : days < 14 };
    }
    const base = Date.parse((token && (token.last_used_at || token.created_at)) || '');
    if (!Number.isFinite(base)) return null;
    const expires = addMonths(new Date(base), 3);
    const daysLeft = Math.floor((expires.getTime() - (now || Date.now())) / 86400000);
    return { expires, daysLeft, soon: daysLeft < 14 };
  }

  /** Status badge key: full_access | readonly | sandbox | no_access | invalid | upstream | unchecked. */
  function badgeFor(token) {
    const r = token && token.validation && token.validation.result;
    return ['full_access', 'readonly', 'sandbox', 'no_access', 'invalid', 'upstream'].includes(r) ? r : 'unchecked';
  }

  const FAILURE_CODES = ['network', 'rate_limited', 'server', 'certificate'];
  /**
   * What the last check says beyond the badge (host/PROTOCOL.md "validation"): null when the last check
   * gave a verdict, else {failedAt (Date|null), code, message, lastOk (Date|null: the kept verdict's
   * checked_at; null when no check ever gave one)}. code is one of FAILURE_CODES or 'other'.
   */
  function checkFailure(token) {
    const v = token && token.validation;
    if (!v || typeof v !== 'object') return null;
    const f = v.last_failure && typeof v.last_failure === 'object' ? v.last_failure : null;
    if (!f && v.result !== 'upstream') return null;
    const date = (s) => { const t = Date.parse(s || ''); return Number.isFinite(t) ? new Date(t) : null; };
    const code = String((f && f.code) || v.code || '');
    return {
      failedAt: date(f ? f.at : v.checked_at),
      code: FAILURE_CODES.includes(code) ? code : 'other',
      message: String((f && f.message) || v.message || ''),
      lastOk: v.result === 'upstream' ? null : date(v.checked_at),
    };
  }

  /** Account names a token reaches, from its last validation. */
  function accountNames(token) {
    const acc = token && token.validation && Array.isArray(token.validation.accounts) ? token.validation.accounts : [];
    // Names come from the bank's API: shown cleaned (lib/label.js: no bidi or zero-width tricks).
    return acc.map((a) => TB.label.usable(String((a && (a.name || a.id)) || ''))).filter(Boolean);
  }
  /** Origins a token is used at (host `used_by`), each once, most recent use first. */
  function usedAt(token) {
    const uses = token && Array.isArray(token.used_by) ? token.used_by.filter((u) => u && typeof u.origin === 'string') : [];
    const last = new Map();
    for (const u of uses) {
      const at = Date.parse(u.at || '') || 0;
      if (!last.has(u.origin) || last.get(u.origin) < at) last.set(u.origin, at);
    }
    return Array.from(last.entries()).sort((a, b) => b[1] - a[1]).map(([origin, at]) => ({ origin, at }));
  }

  /**
   * Per origin, the token it holds: the token most recently used there. [{origin, tokenId, label, at}],
   * sorted by origin.
   */
  function tokenPerOrigin(tokens) {
    const best = new Map();
    for (const tok of Array.isArray(tokens) ? tokens : []) {
      for (const u of usedAt(tok)) {
        const cur = best.get(u.origin);
        if (!cur || cur.at < u.at) best.set(u.origin, { origin: u.origin, tokenId: tok.id, label: tok.label || tok.id, at: u.at });
      }
    }
    return Array.from(best.values()).sort((a, b) => a.origin.localeCompare(b.origin));
  }

  return { addMonths, expiryInfo, badgeFor, checkFailure, accountNames, usedAt, tokenPerOrigin };
});
