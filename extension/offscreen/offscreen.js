// tokenbridge offscreen document (Chromium only): writes the clipboard for the background (answering
// whether the browser took the write) and clears
// it after 30 s if it still holds what we wrote (compared by SHA-256 digest, lib/token.js; the value is not kept). It talks to the background over one private port
// (runtime.connect), never runtime.sendMessage, so the value is not broadcast to other extension pages.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('offscreen', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  let timer = null;

  function copyViaEvent(text) {
    const h = (e) => { e.clipboardData.setData('text/plain', text); e.preventDefault(); };
    document.addEventListener('copy', h, true);
    try { return document.execCommand('copy'); } finally { document.removeEventListener('copy', h, true); }
  }

  function readClipboard() {
    // Needs the clipboardRead permission (requested); returns null if the browser still refuses.
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
  port.onMessage.addListener(async (msg) => {
    if (!msg || msg.type !== 'copy' || typeof msg.text !== 'string') return;
    let ok = false;
    try { ok = copyViaEvent(msg.text) === true; } catch (_) { ok = false; }
    // The background waits for this answer: a refused write is reported to the user, not assumed done.
    port.postMessage({ type: 'copied', seq: msg.seq, ok });
    if (!ok) return;
    const digest = await TB.token.digest(msg.text); // only the digest is kept for the 30 s
    if (timer) clearTimeout(timer);
    const ms = Math.min(Math.max(Number(msg.clearAfterMs) || 30000, 1000), 120000);
    timer = setTimeout(async () => {
      timer = null;
      const current = readClipboard(); // clipboardRead
      // Cleared only if it still holds the token; unreadable (permission refused): cleared too.
      if (current === null || (await TB.token.digest(current)) === digest) copyViaEvent('');
    }, ms);
  });
  return {};
});
