// tokenbridge: T-Invest token shape and extraction (pure functions).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('token', (TB) => {
  'use strict';

  // THE token limits of the extension (the host's are in host/PROTOCOL.md, "Limits"; they agree):
  // `t.` + at least 60 base64url characters, at most MAX_LENGTH characters in all (the host refuses longer
  // T-Invest tokens). content/tinvest-main.js (MAIN world, cannot load this file) repeats MAX_LENGTH.
  const MIN_BODY = 60;
  const MAX_LENGTH = 512;
  const MAX_BODY = MAX_LENGTH - 2;
  const WORD = /[A-Za-z0-9_\-]/;
  const MASK = /[…*•·●]/;
  const WHOLE = new RegExp('^t\\.[A-Za-z0-9_-]{' + MIN_BODY + ',' + MAX_BODY + '}$');

  /** True when s is exactly one T-Invest token (no surrounding text, not masked). */
  function isTokenShape(s) {
    return typeof s === 'string' && WHOLE.test(s);
  }

  /**
   * Every distinct token in text, as whole words. A match touching a mask character («…», «*», «•»),
   * "..." or other word characters is a masked or partial form and is ignored.
   */
  function extractTokens(text) {
    const out = [];
    if (typeof text !== 'string' || text.length < MIN_BODY + 2) return out;
    const s = text.length > 200000 ? text.slice(0, 200000) : text;
    const re = /t\.[A-Za-z0-9_-]+/g;
    let m;
    while ((m = re.exec(s)) !== null) {
      const tok = m[0];
      const start = m.index;
      const end = start + tok.length;
      const before = start > 0 ? s[start - 1] : '';
      const after = s[end] || '';
      if (before && (WORD.test(before) || before === '.' || MASK.test(before))) continue;
      if (after && (MASK.test(after) || s.startsWith('..', end))) continue;
      if (!isTokenShape(tok)) continue;
      if (!out.includes(tok)) out.push(tok);
      if (out.length >= 8) break;
    }
    return out;
  }

  /**
   * SHA-256 hex of a string: the one digest of the extension (per-page de-duplication, the background's
   * capture rate, the clipboard clear), so a secret is compared without being kept. Every place that
   * runs it is a secure context (https pages, extension pages), where crypto.subtle exists.
   */
  async function digest(s) {
    const buf = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(String(s)));
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return { MAX_LENGTH, isTokenShape, extractTokens, digest };
});
