// tokenbridge: the shared namespace and the glue both content scripts (and the popup) need.
// Loaded FIRST wherever lib/*.js are loaded (manifest content_scripts, popup.html, background, unit-test
// helpers): it is the only file that creates the namespace. Every other file registers its ONE sub-object
// the same way, in one line:
//   globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('dom', (TB) => { ...; return { norm, walk }; });
// and reaches the others as TB.<sub>.<name> (TB.dom.norm, TB.token.isTokenShape, TB.errors.message, …).
(function () {
  'use strict';
  // One namespace per world, created once as a plain object with a private marker. It is reached by a
  // SYMBOL-keyed own property of the global object, which no page element can create or shadow (named
  // elements like <form id="TokenBridge"> only ever add string-named properties on the window's
  // prototype chain). globalThis.TokenBridge (same object, own and non-writable) is for debugging and tests.
  const KEY = Symbol.for('tokenbridge.namespace.v1');
  const own = (k) => {
    const d = Object.getOwnPropertyDescriptor(globalThis, k);
    const v = d && !d.writable && !d.configurable && d.value;
    return v && Object.getPrototypeOf(v) === Object.prototype && v[KEY] === true ? v : null;
  };
  if (own(KEY)) return; // loaded twice in one world: keep the one namespace
  const TB = {};
  Object.defineProperty(TB, KEY, { value: true });
  /**
   * Register sub-object `name` (once): factory(TB) returns its exports, frozen as TB[name].
   * A second registration of the same name (a file loaded twice) is ignored.
   */
  Object.defineProperty(TB, 'define', {
    value: function define(name, factory) {
      if (Object.prototype.hasOwnProperty.call(TB, name)) return TB[name];
      const api = Object.freeze(factory(TB));
      Object.defineProperty(TB, name, { value: api, enumerable: true });
      return api;
    },
  });
  for (const k of [KEY, 'TokenBridge']) {
    Object.defineProperty(globalThis, k, { value: TB, configurable: false, enumerable: false, writable: false });
  }

  TB.define('core', () => {
    const started = new Set(); // controllers auto-started in this world
    /** The user's settings (storage.local key `settings`) and their defaults. */
    const DEFAULT_SETTINGS = Object.freeze({ autocapture: true, autofill: true, autoconnect: false });

    /** A fresh settings object: the defaults overlaid with s (ignored unless it is an object). */
    function withDefaults(s) {
      return Object.assign({}, DEFAULT_SETTINGS, s && typeof s === 'object' ? s : {});
    }

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

    /** Only real user actions count; unit tests inject their own rule (jsdom cannot make trusted events). */
    function trustedRule(env) {
      return typeof env.isTrusted === 'function' ? env.isTrusted : (ev) => !!ev && ev.isTrusted === true;
    }

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

    /**
     * Auto-start a content-script controller in the real extension only: top frame, extension APIs present
     * (unit tests have no chrome.runtime.id and call the controller themselves), once per world (`flag`).
     * Returns {api, ctl} or null.
     */
    function startInExtension(flag, start) {
      const api = globalThis.browser || globalThis.chrome;
      if (window.top !== window || !api || !api.runtime || !api.runtime.id) return null;
      if (started.has(flag)) return null;
      started.add(flag);
      const ctl = start({
        doc: document,
        send: (msg) => api.runtime.sendMessage(msg),
        getSettings: () => api.storage.local.get('settings').then((r) => r && r.settings),
        onSettings: (fn) => api.storage.onChanged.addListener((ch, area) => {
          if (area === 'local' && ch.settings) fn(ch.settings.newValue);
        }),
      });
      return { api, ctl };
    }
    return { DEFAULT_SETTINGS, withDefaults, watchSettings, trustedRule, listeners, startInExtension };
  });
})();
