// tokenbridge background: copy a value the user asked to copy, and clear it after 30 s only if the
// clipboard still holds it (compared by SHA-256 digest, lib/token.js; the value itself is not kept).
// Chromium: the offscreen document (offscreen/) writes and clears, over a private port. Firefox: the
// event page may be unloaded after ~30 s idle, exactly when the clear is due, so the digest is kept in
// storage.session (memory only) and an alarm wakes the page; a plain timer covers the case where it stays alive.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('clipboard', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const CLEAR_MS = 30000;
  const OFFSCREEN_PATH = 'offscreen/offscreen.html';
  const CLIP_ALARM = 'tb-clipboard-clear';
  const CLIP_KEY = 'clipboardClear';
  const fail = TB.errors.fail;

  // ------------------------------------------------------------ Chromium: the offscreen document
  const off = { port: null, waiters: [], seq: 0 };
  const COPY_ANSWER_MS = 5000;

  function onConnect(port) {
    if (!port || port.name !== 'tb-offscreen') return;
    const s = port.sender || {};
    if (s.id !== api.runtime.id || s.url !== api.runtime.getURL(OFFSCREEN_PATH)) { port.disconnect(); return; }
    off.port = port;
    port.onDisconnect.addListener(() => { if (off.port === port) off.port = null; });
    for (const fn of off.waiters.splice(0)) fn(port);
  }

  async function offscreenPort() {
    if (off.port) return off.port;
    const wait = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(fail('clipboard_failed', 'the clipboard helper did not start')), 5000);
      off.waiters.push((p) => { clearTimeout(t); resolve(p); });
    });
    let has = false;
    try { has = await api.offscreen.hasDocument(); } catch (_) { has = false; }
    if (has) { try { await api.offscreen.closeDocument(); } catch (_) { /* ignore */ } }
    await api.offscreen.createDocument({
      url: OFFSCREEN_PATH, reasons: ['CLIPBOARD'],
      justification: 'Copy a token the user asked to copy and clear it from the clipboard after 30 seconds.',
    });
    return wait;
  }

  /** Ask the offscreen document to copy and wait for its answer: a refused write is an error. */
  function offscreenCopy(port, text) {
    const seq = ++off.seq;
    return new Promise((resolve, reject) => {
      const done = (err) => {
        clearTimeout(timer);
        port.onMessage.removeListener(onAnswer);
        port.onDisconnect.removeListener(onGone);
        if (err) reject(err); else resolve();
      };
      const onAnswer = (m) => {
        if (!m || m.type !== 'copied' || m.seq !== seq) return;
        done(m.ok === true ? null : fail('clipboard_failed', 'the browser refused the clipboard write'));
      };
      const onGone = () => done(fail('clipboard_failed', 'the clipboard helper closed before copying'));
      const timer = setTimeout(() => done(fail('clipboard_failed', 'the clipboard helper did not answer')), COPY_ANSWER_MS);
      port.onMessage.addListener(onAnswer);
      port.onDisconnect.addListener(onGone);
      port.postMessage({ type: 'copy', seq, text, clearAfterMs: CLEAR_MS });
    });
  }

  // ------------------------------------------------------------ Firefox: the background page itself
  let clearTimer = null;
  let clipPending = null; // {digest, due}

  /** Copy text (a secret the host just returned) and arrange the clear. */
  async function copy(text) {
    if (typeof text !== 'string' || !text) throw fail('host_error', 'the host returned no value to copy');
    if (api.offscreen && api.offscreen.createDocument) {
      await offscreenCopy(await offscreenPort(), text);
      return;
    }
    await writeClipboard(text);
    await armClear(await TB.token.digest(text));
  }

  async function armClear(digest) {
    const due = Date.now() + CLEAR_MS;
    clipPending = { digest, due };
    try { if (api.storage && api.storage.session) await api.storage.session.set({ [CLIP_KEY]: clipPending }); } catch (_) { /* memory copy still works */ }
    if (clearTimer) clearTimeout(clearTimer);
    clearTimer = setTimeout(() => { clearTimer = null; clearIfStill(); }, CLEAR_MS);
    try { if (api.alarms) await api.alarms.create(CLIP_ALARM, { when: due }); } catch (_) { /* timer only */ }
  }

  async function writeClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch (_) { /* fall back below */ }
    const d = globalThis.document;
    if (!d) throw fail('clipboard_failed', 'no clipboard access in this browser');
    if (!copyViaEvent(d, text)) throw fail('clipboard_failed', 'the browser refused the clipboard write');
  }

  function copyViaEvent(d, text) {
    const h = (e) => { e.clipboardData.setData('text/plain', text); e.preventDefault(); };
    d.addEventListener('copy', h, true);
    try { return d.execCommand('copy'); } finally { d.removeEventListener('copy', h, true); }
  }

  async function clearIfStill() {
    let p = clipPending;
    if (!p) {
      try { const r = api.storage && api.storage.session ? await api.storage.session.get(CLIP_KEY) : null; p = r && r[CLIP_KEY]; } catch (_) { p = null; }
    }
    if (!p || typeof p.digest !== 'string') return;
    if (Date.now() + 1000 < p.due) return; // a newer copy re-armed the clear
    clipPending = null;
    if (clearTimer) { clearTimeout(clearTimer); clearTimer = null; }
    try { if (api.storage && api.storage.session) await api.storage.session.remove(CLIP_KEY); } catch (_) { /* ignore */ }
    try { if (api.alarms) await api.alarms.clear(CLIP_ALARM); } catch (_) { /* ignore */ }
    let current = null;
    try { current = await navigator.clipboard.readText(); } catch (_) { current = null; } // clipboardRead
    // Something else was copied since: leave it. Unreadable (permission refused): clear, the secret must not stay.
    if (current !== null && (await TB.token.digest(current)) !== p.digest) return;
    try { await navigator.clipboard.writeText(''); } catch (_) { if (globalThis.document) copyViaEvent(globalThis.document, ''); }
  }

  function onAlarm(a) { if (a && a.name === CLIP_ALARM) clearIfStill(); }

  return { CLEAR_MS, copy, clearIfStill, onConnect, onAlarm };
});
