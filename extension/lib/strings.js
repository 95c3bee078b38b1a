// tokenbridge: in-page box text and the stored label. Box text comes from _locales (chrome.i18n, the
// browser's UI language, like the popup); the label stored with a captured token is always Russian
// (it names the token in the keyring, whatever the browser language).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('strings', (TB) => {
  'use strict';
  const api = () => globalThis.browser || globalThis.chrome;

  /** The message `key` (see _locales) with $1.. substitutions; the key itself if none is found. */
  function t(key, args) {
    let m = '';
    try {
      const a = api();
      m = a && a.i18n ? a.i18n.getMessage(key, (args || []).map(String)) : '';
    } catch (_) { m = ''; }
    return m || key;
  }

  const KINDS = ['full_access', 'readonly', 'sandbox', 'unknown'];
  /** The access level in the UI language (_locales kind_*). */
  function kindText(kind) {
    return t('kind_' + (KINDS.includes(kind) ? kind : 'unknown'));
  }

  const LABEL = { full_access: 'полный доступ', readonly: 'только чтение', sandbox: 'песочница', unknown: 'доступ не определён' };
  /** The label stored with a captured token (Russian, ≤100 chars, no control characters). */
  function buildLabel(kind, scope) {
    const parts = ['T-Invest', LABEL[KINDS.includes(kind) ? kind : 'unknown']];
    if (!scope || scope.all_accounts) parts.push('все счета');
    else if (scope.account_name) parts.push('счёт «' + scope.account_name + '»');
    return parts.join(' · ').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 100);
  }

  return { t, kindText, buildLabel };
});
