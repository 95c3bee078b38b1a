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

  /** Status badge key: full_access | readonly | sandbox | invalid | upstream | unchecked. */
  function badgeFor(token) {
    const r = token && token.validation && token.validation.result;
    return ['full_access', 'readonly', 'sandbox', 'invalid', 'upstream'].includes(r) ? r : 'unchecked';
  }

  /** Account names a token reaches, from its last validation. */
  function accountNames(token) {
    const acc = token && token.validation && Array.isArray(token.validation.accounts) ? token.validation.accounts : [];
    return acc.map((a) => String((a && (a.name || a.id)) || '')).filter(Boolean);
  }
  return { addMonths, expiryInfo, badgeFor, accountNames };
});
