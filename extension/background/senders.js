// tokenbridge background: who is asking. Every decision comes from `sender` (filled in by the browser),
// never from a message's content.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('senders', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const BROKER_ORIGINS = ['https://www.tbank.ru', 'https://www.tinkoff.ru'];
  const BROKER_PATH = /^\/invest\/settings(\/|$)/;
  const LOGOS_ORIGINS = ['https://logos-up.com', 'https://www.logos-up.com'];
  const LOGOS_PATH = /^\/profile(\/|$|[?#]|[A-Za-z0-9._~-])/;
  const POPUP_PATH = 'popup/popup.html';

  /** https, no port or userinfo: the URL object, else null. */
  function plainHttps(url) {
    let u;
    try { u = new URL(url); } catch (_) { return null; }
    return u.protocol === 'https:' && !u.username && !u.password && !u.port ? u : null;
  }

  /** True for a Logos profile page URL (exact origins, path /profile…). */
  function isLogosUrl(url) {
    const u = plainHttps(url);
    return !!u && LOGOS_ORIGINS.includes(u.origin) && LOGOS_PATH.test(u.pathname);
  }

  /**
   * Classify a message sender from browser-provided fields only. Returns
   *   {role: 'popup'} | {role: 'broker'|'logos', origin, tabId} | null (refused).
   */
  function classify(sender) {
    if (!sender || typeof sender !== 'object') return null;
    if (sender.id !== api.runtime.id) return null; // other extensions, web pages
    const url = typeof sender.url === 'string' ? sender.url : '';
    if (!url) return null;
    const prefix = api.runtime.getURL('');
    if (url.startsWith(prefix)) {
      const path = url.slice(prefix.length).split(/[?#]/)[0];
      return path === POPUP_PATH ? { role: 'popup' } : null;
    }
    if (!sender.tab || typeof sender.tab.id !== 'number' || sender.tab.id < 0) return null;
    if (sender.frameId !== 0) return null; // sub-frames never
    const u = plainHttps(url);
    if (!u) return null;
    if (sender.origin !== undefined && sender.origin !== u.origin) return null;
    if (BROKER_ORIGINS.includes(u.origin) && BROKER_PATH.test(u.pathname)) return { role: 'broker', origin: u.origin, tabId: sender.tab.id };
    if (LOGOS_ORIGINS.includes(u.origin) && LOGOS_PATH.test(u.pathname)) return { role: 'logos', origin: u.origin, tabId: sender.tab.id };
    return null;
  }

  return { classify, isLogosUrl };
});
