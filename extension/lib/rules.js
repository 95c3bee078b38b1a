// tokenbridge: THE fill rules, as data. Which page, which block, which field, which broker choice and
// which token kinds — one entry per consumer site. A classic script with a frozen literal (content
// scripts cannot fetch a JSON file synchronously); lib/fill.js reads a rule, it never hard-codes a site.
//
// A rule:
//   id          stable name (content-script registration id `tb-rule-<id>`, popup rows)
//   name        what the user sees
//   origins     exact https origins (no port); the fill and record_use origin is the browser's sender
//   path        the page paths (a RegExp source, tested on URL.pathname)
//   matches     content-script match patterns (within origins and path)
//   optional    false: runs by default (manifest content_scripts); true: only after the user turns the
//               site on in the popup (optional_host_permissions asked at run time, script registered then)
//   block       the block's heading, exact (null: the field's own label identifies it)
//   field       {labels: exact label/placeholder texts, words: words a label may contain, single: take the
//               only visible text field of the block when none reads as a token field}
//   broker      {choose: the T-Invest choice's labels, others: other brokers' labels} or null (no choice)
//   connect     the submit button's labels; connected: the success texts (a use is recorded then)
//   accepts     token kinds it may receive (full_access, readonly); unchecked tokens are tried last
//   prefers     the kind it asks for; a full-access token where read-only is preferred is filled only
//               after the user agreed in the box (the risk is explained; «issue a read-only token» offered)
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('rules', (TB) => {
  'use strict';

  function deepFreeze(x) {
    if (x && typeof x === 'object') { for (const v of Object.values(x)) deepFreeze(v); Object.freeze(x); }
    return x;
  }

  const RULES = deepFreeze([
    {
      id: 'logos',
      name: 'Logos Freedom',
      origins: ['https://logos-up.com', 'https://www.logos-up.com'],
      path: '^/profile(?:/|$|[A-Za-z0-9._~-])',
      matches: ['https://logos-up.com/profile*', 'https://www.logos-up.com/profile*'],
      optional: false,
      block: ['Подключение портфеля'],
      field: { labels: [], words: ['токен', 'token', 'openapi', 'api'], single: true },
      broker: { choose: ['Тинькофф'], others: ['Другой брокер'] },
      connect: ['Подключить портфель'],
      connected: ['Портфель подключен', 'Портфель подключён'],
      accepts: ['full_access'],
      prefers: 'full_access',
    },
    {
      id: 'snowball',
      name: 'Snowball Income',
      origins: ['https://snowball-income.com'],
      path: '^/portfolio-sync-settings(?:/|$)',
      matches: ['https://snowball-income.com/portfolio-sync-settings*'],
      optional: true,
      block: null,
      field: { labels: ['Tinkoff OpenAPI Токен'], words: [], single: false },
      broker: null,
      connect: [],
      connected: [],
      accepts: ['readonly', 'full_access'],
      prefers: 'readonly',
    },
  ]);

  const pathRe = new Map(RULES.map((r) => [r.id, new RegExp(r.path)]));

  /** https, no port or userinfo: the URL object, else null. */
  function plainHttps(url) {
    let u;
    try { u = new URL(url); } catch (_) { return null; }
    return u.protocol === 'https:' && !u.username && !u.password && !u.port ? u : null;
  }

  /** The rule for a page URL (exact origin, path), or null. */
  function forUrl(url) {
    const u = plainHttps(url);
    if (!u) return null;
    return RULES.find((r) => r.origins.includes(u.origin) && pathRe.get(r.id).test(u.pathname)) || null;
  }

  function byId(id) { return RULES.find((r) => r.id === id) || null; }

  /** Host permissions a rule needs (origin-wide patterns, as listed in optional_host_permissions). */
  function permissionsOf(rule) { return { origins: rule.origins.map((o) => o + '/*') }; }

  return { RULES, forUrl, byId, plainHttps, permissionsOf, LOGOS: byId('logos') };
});
