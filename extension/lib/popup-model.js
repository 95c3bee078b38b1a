// tokenbridge: pure helpers for the popup (dates, badges). No extension APIs.
(function () {
  'use strict';
  // The namespace lib/base.js created (loaded first): only an own, non-writable, marked plain object counts.
  const ns = Object.getOwnPropertyDescriptor(globalThis, 'TokenBridge'), TB = ns && !ns.writable && ns.value;
  if (!TB || Object.getPrototypeOf(TB) !== Object.prototype || TB[Symbol.for('tokenbridge.namespace.v1')] !== true) return;

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
  TB.addMonths = addMonths;

  /**
   * T-Invest tokens expire three months after their last use. Returns {expires: Date, daysLeft, soon}
   * from last_used_at (or created_at), or null when neither date parses.
   */
  function expiryInfo(token, now) {
    const base = Date.parse((token && (token.last_used_at || token.created_at)) || '');
    if (!Number.isFinite(base)) return null;
    const expires = addMonths(new Date(base), 3);
    const daysLeft = Math.floor((expires.getTime() - (now || Date.now())) / 86400000);
    return { expires, daysLeft, soon: daysLeft < 14 };
  }
  TB.expiryInfo = expiryInfo;

  /** Status badge key: full_access | readonly | sandbox | invalid | upstream | unchecked. */
  function badgeFor(token) {
    const r = token && token.validation && token.validation.result;
    return ['full_access', 'readonly', 'sandbox', 'invalid', 'upstream'].includes(r) ? r : 'unchecked';
  }
  TB.badgeFor = badgeFor;

  /** Account names a token reaches, from its last validation. */
  function accountNames(token) {
    const acc = token && token.validation && Array.isArray(token.validation.accounts) ? token.validation.accounts : [];
    return acc.map((a) => String((a && (a.name || a.id)) || '')).filter(Boolean);
  }
  TB.accountNames = accountNames;
})();
