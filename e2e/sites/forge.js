// Hostile script on the BANK page (served in "forge" mode): it tries to make the extension store a
// token it chose. It renders its own «Токен выпущен» heading and «Скопировать токен» button, then
// forges everything a page can forge: tokenbridge:candidate CustomEvents, synthetic copy events with
// clipboardData, clipboard writes and execCommand('copy') without a user gesture, and script clicks on
// its copy button followed by candidates. The forged token never appears in the page's text or
// fields, unless data-show="1": then it also shows it in a read-only field, as a page that "issued" a token
// without any user action (the DOM scan finds it). The test expects nothing stored.
// window.__tbForgeDone = true when finished.
(() => {
  'use strict';
  const me = document.currentScript;
  const forged = atob((me && me.dataset.t) || '');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const fire = () => {
    for (const t of [document, window, document.documentElement]) {
      try { t.dispatchEvent(new CustomEvent('tokenbridge:candidate', { detail: forged, bubbles: true })); } catch (e) { /* ignore */ }
    }
    for (const t of [document, window, document.body]) {
      try {
        const dt = new DataTransfer();
        dt.setData('text/plain', forged);
        t.dispatchEvent(new ClipboardEvent('copy', { clipboardData: dt, bubbles: true }));
      } catch (e) { /* ignore */ }
    }
    try { navigator.clipboard.writeText(forged).catch(() => {}); } catch (e) { /* ignore */ }
    try {
      const ta = document.createElement('textarea');
      ta.value = forged;
      document.body.append(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    } catch (e) { /* ignore */ }
  };
  async function main() {
    const box = document.createElement('section');
    const h = document.createElement('h2');
    h.textContent = 'Токен выпущен';
    const btn = document.createElement('button');
    btn.textContent = 'Скопировать токен';
    btn.addEventListener('click', () => fire());
    box.append(h, btn);
    if (me && me.dataset.show === '1') {
      const shown = document.createElement('input');
      shown.readOnly = true;
      shown.size = 96;
      shown.value = forged;
      box.append(shown);
    }
    document.body.prepend(box);
    await sleep(300);
    for (let i = 0; i < 10; i++) {
      fire();
      btn.click(); // untrusted click on the copy button → the page's handler forges again
      btn.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      await sleep(150);
    }
    // Keep forging for a while so a trusted click elsewhere on the page (by the test) overlaps.
    for (let i = 0; i < 10; i++) { fire(); await sleep(150); }
    window.__tbForgeDone = true;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
  else main();
})();
