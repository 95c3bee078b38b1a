// tokenbridge offscreen document (Chromium only): writes the clipboard for the background and clears
// it after 30 s if it still holds what we wrote. It talks to the background over one private port
// (runtime.connect), never runtime.sendMessage, so the value is not broadcast to other extension pages.
(function () {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  let timer = null;

  function copyViaEvent(text) {
    const h = (e) => { e.clipboardData.setData('text/plain', text); e.preventDefault(); };
    document.addEventListener('copy', h, true);
    try { return document.execCommand('copy'); } finally { document.removeEventListener('copy', h, true); }
  }

  function readClipboard() {
    // Works only with the optional clipboardRead permission; otherwise returns null.
    const ta = document.createElement('textarea');
    document.body.append(ta);
    ta.focus();
    let ok = false;
    try { ok = document.execCommand('paste'); } catch (_) { ok = false; }
    const v = ta.value;
    ta.remove();
    return ok ? v : null;
  }

  const port = api.runtime.connect({ name: 'tb-offscreen' });
  port.onMessage.addListener((msg) => {
    if (!msg || msg.type !== 'copy' || typeof msg.text !== 'string') return;
    const text = msg.text;
    copyViaEvent(text);
    if (timer) clearTimeout(timer);
    const ms = Math.min(Math.max(Number(msg.clearAfterMs) || 30000, 1000), 120000);
    timer = setTimeout(() => {
      timer = null;
      const current = readClipboard();
      if (current === null || current === text) copyViaEvent('');
    }, ms);
  });
})();
