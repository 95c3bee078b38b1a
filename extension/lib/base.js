// tokenbridge: the shared namespace and the glue both content scripts (and the popup) need.
// Loaded FIRST wherever lib/*.js are loaded (manifest content_scripts, popup.html, unit-test helpers):
// it is the only file that creates globalThis.TokenBridge; every other script looks it up with the
// same two-line check:
//   const ns = Object.getOwnPropertyDescriptor(globalThis, 'TokenBridge'), TB = ns && !ns.writable && ns.value;
//   if (!TB || Object.getPrototypeOf(TB) !== Object.prototype || TB[Symbol.for('tokenbridge.namespace.v1')] !== true) return;
(function () {
  'use strict';
  // One namespace per world, created once as a plain object with a private marker. A page cannot
  // shadow it with a named element (<form id="TokenBridge">): that is only a named property on the
  // window's prototype chain, never an OWN, non-writable data property holding a marked plain object.
  const MARK = Symbol.for('tokenbridge.namespace.v1');
  const ns = Object.getOwnPropertyDescriptor(globalThis, 'TokenBridge');
  let TB = ns && !ns.writable && ns.value;
  if (!TB || Object.getPrototypeOf(TB) !== Object.prototype || TB[MARK] !== true) {
    TB = {};
    Object.defineProperty(TB, MARK, { value: true });
    Object.defineProperty(globalThis, 'TokenBridge', { value: TB, configurable: false, enumerable: false, writable: false });
  }

  /** The user's settings (storage.local key `settings`) and their defaults. */
  const DEFAULT_SETTINGS = Object.freeze({ autocapture: true, autofill: true, autoconnect: false });
  TB.DEFAULT_SETTINGS = DEFAULT_SETTINGS;

  /** A fresh settings object: the defaults overlaid with s (ignored unless it is an object). */
  function withDefaults(s) {
    return Object.assign({}, DEFAULT_SETTINGS, s && typeof s === 'object' ? s : {});
  }
  TB.withDefaults = withDefaults;

  /**
   * Settings for a content-script controller. env: {getSettings() -> Promise(obj)?, onSettings(fn)?}.
   * Returns a getter for the current settings (defaults until read); ready() runs once they are read
   * (or could not be read).
   */
  function watchSettings(env, ready) {
    let cur = withDefaults(null);
    Promise.resolve(env.getSettings ? env.getSettings() : null).then((s) => {
      if (s && typeof s === 'object') cur = withDefaults(s);
      ready();
    }, () => ready());
    if (env.onSettings) env.onSettings((s) => { cur = withDefaults(s); });
    return () => cur;
  }
  TB.watchSettings = watchSettings;

  /** Only real user actions count; unit tests inject their own rule (jsdom cannot make trusted events). */
  function trustedRule(env) {
    return typeof env.isTrusted === 'function' ? env.isTrusted : (ev) => !!ev && ev.isTrusted === true;
  }
  TB.trustedRule = trustedRule;

  /** Event listeners removed all at once: on(target, type, fn, capture) adds one; off() removes every one. */
  function listeners() {
    const undo = [];
    return {
      on(target, type, fn, capture) {
        target.addEventListener(type, fn, capture);
        undo.push(() => target.removeEventListener(type, fn, capture));
      },
      off() { while (undo.length) undo.pop()(); },
    };
  }
  TB.listeners = listeners;

  /**
   * Auto-start a content-script controller in the real extension only: top frame, extension APIs present
   * (unit tests have no chrome.runtime.id and call the controller themselves), once per world (`flag`).
   * Returns {api, ctl} or null.
   */
  function startInExtension(flag, start) {
    const api = globalThis.browser || globalThis.chrome;
    if (window.top !== window || !api || !api.runtime || !api.runtime.id) return null;
    if (TB[flag]) return null;
    TB[flag] = true;
    const ctl = start({
      doc: document,
      extensionId: api.runtime.id,
      send: (msg) => api.runtime.sendMessage(msg),
      getSettings: () => api.storage.local.get('settings').then((r) => r && r.settings),
      onSettings: (fn) => api.storage.onChanged.addListener((ch, area) => {
        if (area === 'local' && ch.settings) fn(ch.settings.newValue);
      }),
    });
    return { api, ctl };
  }
  TB.startInExtension = startInExtension;
})();
