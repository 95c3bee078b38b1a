// tokenbridge: the ONE error table. Every error code's advice (cause and fix, Russian and English) is a
// `err_<code>` entry in _locales/{ru,en}/messages.json; the background, the popup and the in-page boxes
// all turn an error into text here, in the browser's UI language (chrome.i18n works in every part).
// Entries may use $DETAIL$ (the reporter's own message: the host's text, e.g. the keyring deadline it
// waited, or the background's) and $ID$ (this extension's ID). Durations are never written in the table.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('errors', (TB) => {
  'use strict';
  const api = () => globalThis.browser || globalThis.chrome;

  /** An error with a stable code (what the UI looks up) and a technical detail (English, no advice). */
  class CodedError extends Error {
    constructor(code, detail) { super(detail); this.code = code; }
  }
  function fail(code, detail) { return new CodedError(code, detail); }

  // Several fill statuses are one advice.
  const ALIASES = { no_block: 'no_logos_tab', no_content_script: 'no_logos_tab', none: 'no_usable_token' };

  /** The code of err (a string, or an object with .code), reduced to [a-z_]; 'unknown' if none. */
  function codeOf(err) {
    const c = typeof err === 'string' ? err : err && err.code;
    const s = String(c || '').replace(/[^a-z_]/g, '').slice(0, 40);
    return s || 'unknown';
  }

  function getMessage(key, subs) {
    try {
      const a = api();
      return (a && a.i18n && a.i18n.getMessage(key, subs)) || '';
    } catch (_) { return ''; }
  }
  function extensionId() {
    try { return api().runtime.id || '<id>'; } catch (_) { return '<id>'; }
  }

  /**
   * The user-facing text for err ({code, detail?, message?} or a code): the table entry for its code
   * with $DETAIL$ = err.detail (or err.message) and $ID$ = this extension's ID; for a code without an
   * entry, err_unknown with the detail. Never empty.
   */
  function message(err) {
    const code = codeOf(err);
    const raw = err && typeof err === 'object' ? (err.detail != null ? err.detail : err.message) : '';
    const detail = String(raw == null || raw === '' ? code : raw).slice(0, 300);
    const subs = [detail, extensionId()];
    return getMessage('err_' + (ALIASES[code] || code), subs) || getMessage('err_unknown', subs) || code + ': ' + detail;
  }

  /**
   * The reply for a failed request: {ok:false, error:{code, detail, message}} where message is the table
   * text (so any reader can show it) and detail the technical cause (the UI renders code + detail itself).
   */
  function reply(e) {
    const code = e && typeof e.code === 'string' && /^[a-z_]{1,40}$/.test(e.code) ? e.code : 'extension_error';
    const detail = e && e.message ? String(e.message).slice(0, 500) : 'unexpected error in the extension background';
    return { ok: false, error: { code, detail, message: message({ code, detail }) } };
  }

  /** An error object from a reply (or a missing reply). */
  function fromReply(r, fallbackDetail) {
    const e = r && r.error && typeof r.error === 'object' ? r.error : null;
    return e || { code: 'extension_error', detail: fallbackDetail || 'no answer' };
  }

  return { fail, codeOf, message, reply, fromReply };
});
