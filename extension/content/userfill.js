// tokenbridge: the page half of the user-driven fill (context menu «Вставить токен T-Invest», popup
// «Вставить в поле на этой странице»). Injected by the background with scripting.executeScript into the
// top frame of the tab the user acted on (activeTab: no host permission), never by a manifest entry.
// choose() remembers the field the user chose (the right-clicked element, else the focused one) and
// says whether a token may go there; write() re-checks that same field and the origin, then writes.
// Nothing here listens to the page; the secret arrives only as write()'s argument from the background.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('userFillPage', (TB) => {
  'use strict';
  let target = null; // the chosen field (this world only)

  function deepActive(doc) {
    let el = doc.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  }

  /** '' when a token may go into el, else why not (no_field | login_password | not_editable | frame). */
  function refusal(el) {
    if (window.top !== window) return 'frame'; // window, not globalThis: a Firefox content script's global is a sandbox, never its own top
    if (!el || el.nodeType !== 1 || (el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA')) return 'no_field';
    if (TB.fill.isLoginPassword(el)) return 'login_password';
    if (!TB.fill.editable(el)) return 'not_editable';
    return '';
  }

  /** targetElementId: Firefox's menus target (the right-clicked element); else the focused element. */
  function choose(targetElementId) {
    const api = globalThis.browser;
    let el = null;
    if (targetElementId != null && api && api.menus && api.menus.getTargetElement) el = api.menus.getTargetElement(targetElementId);
    if (!el) el = deepActive(document);
    const why = refusal(el);
    target = why ? null : el;
    return why ? { ok: false, why } : { ok: true, origin: location.origin };
  }

  /** Write secret into the chosen field, if it is still that field, still fit, on the same origin. */
  function write(secret, origin) {
    const el = target;
    target = null;
    if (location.origin !== origin) return { ok: false, why: 'origin_changed' };
    if (!el || !el.isConnected) return { ok: false, why: 'field_gone' };
    const why = refusal(el);
    if (why) return { ok: false, why };
    if (!TB.token.isTokenShape(secret)) return { ok: false, why: 'shape' };
    TB.fill.setNativeValue(el, secret);
    return { ok: true };
  }

  return { choose, write, refusal };
});
