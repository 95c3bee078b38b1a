// tokenbridge background: who is asking. Every decision comes from `sender` (filled in by the browser),
// never from a message's content.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('senders', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const BROKER_ORIGINS = ['https://www.tbank.ru', 'https://www.tinkoff.ru'];
  const BROKER_PATH = /^\/invest\/settings(\/|$)/;
  const POPUP_PATH = 'popup/popup.html';

  const plainHttps = (url) => TB.rules.plainHttps(url); // https, no port or userinfo: the URL, else null

  /** True for a page a fill rule covers (lib/rules.js: exact origins and path), e.g. a Logos profile. */
  function isFillUrl(url) {
    return !!TB.rules.forUrl(url);
  }

  /**
   * Classify a message sender from browser-provided fields only. Returns
   *   {role: 'popup'} | {role: 'broker', origin, tabId} | {role: 'logos', rule, origin, tabId} | null (refused).
   * 'logos' is every fill rule's page (Logos and the sites the user turned on; the handler checks that an
   * optional site is still on).
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
    const rule = TB.rules.forUrl(u.href);
    if (rule) return { role: 'logos', rule: rule.id, origin: u.origin, tabId: sender.tab.id };
    return null;
  }

  return { classify, isFillUrl };
});
