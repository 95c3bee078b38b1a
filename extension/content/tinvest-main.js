// tokenbridge: MAIN-world helper on the broker's settings page (no extension APIs here).
// It wraps the page's own clipboard writes (navigator.clipboard.writeText, Clipboard.write with
// text/plain, document.execCommand('copy') of a selected field) and hands token-shaped text to the
// isolated content script as a DOM CustomEvent 'tokenbridge:candidate'. Everything from this world is
// an UNTRUSTED candidate: the isolated script re-checks the token shape and that «Токен выпущен» is shown.
(function () {
  'use strict';
  if (window.top !== window) return;
  // The token shape of lib/token.js (this MAIN-world file cannot load it): keep MAX_LENGTH equal to
  // TB.token.MAX_LENGTH there (a unit test checks they agree).
  const MAX_LENGTH = 512;
  const SHAPE = new RegExp('t\\.[A-Za-z0-9_-]{60,' + (MAX_LENGTH - 2) + '}');
  const EVT = 'tokenbridge:candidate';
  function hand(text) {
    try {
      if (typeof text !== 'string' || text.length > 4096 || !SHAPE.test(text)) return;
      document.dispatchEvent(new CustomEvent(EVT, { detail: text }));
    } catch (_) { /* never break the page */ }
  }
  try {
    const C = window.Clipboard && window.Clipboard.prototype;
    if (C && typeof C.writeText === 'function') {
      const orig = C.writeText;
      Object.defineProperty(C, 'writeText', {
        configurable: true, writable: true,
        value: function writeText(text) { hand(String(text)); return orig.apply(this, arguments); },
      });
    }
    if (C && typeof C.write === 'function') {
      const origWrite = C.write;
      Object.defineProperty(C, 'write', {
        configurable: true, writable: true,
        value: function write(items) {
          try {
            for (const it of items || []) {
              if (it && it.types && Array.prototype.includes.call(it.types, 'text/plain')) {
                it.getType('text/plain').then((b) => b.text()).then(hand, () => {});
              }
            }
          } catch (_) { /* ignore */ }
          return origWrite.apply(this, arguments);
        },
      });
    }
  } catch (_) { /* ignore */ }
  try {
    const D = Document.prototype;
    const origExec = D.execCommand;
    Object.defineProperty(D, 'execCommand', {
      configurable: true, writable: true,
      value: function execCommand(cmd) {
        try {
          if (String(cmd).toLowerCase() === 'copy') {
            const ae = this.activeElement;
            if (ae && (ae.tagName === 'TEXTAREA' || ae.tagName === 'INPUT')) hand(String(ae.value));
            const sel = this.getSelection && this.getSelection();
            if (sel) hand(String(sel));
          }
        } catch (_) { /* ignore */ }
        return origExec.apply(this, arguments);
      },
    });
  } catch (_) { /* ignore */ }
})();
