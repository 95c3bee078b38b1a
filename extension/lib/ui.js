// tokenbridge: small in-page box in its own CLOSED shadow root (the page cannot read or drive it).
// The host element carries non-secret state for tests and the e2e harness:
//   data-tokenbridge="<role>"            which box (capture | fill)
//   data-tokenbridge-status="<state>"     e.g. saving, stored, error:keyring_locked, filled, offer, choose
//   data-tokenbridge-validation="<v>"     capture box only: checking, full_access, readonly, sandbox, invalid, upstream, error:<code>
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('ui', (TB) => {
  'use strict';

  const CSS = [
    ':host{all:initial}',
    '.box{position:relative;max-width:380px;min-width:220px;box-sizing:border-box;',
    'font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff;',
    'border:1px solid #c9c9c9;border-left:4px solid #2a7de1;border-radius:8px;box-shadow:0 4px 18px rgba(0,0,0,.18);padding:10px 12px}',
    '.box.ok{border-left-color:#2e9d4f}.box.err{border-left-color:#d33}.box.warn{border-left-color:#e0a100}',
    '.title{font-weight:600;margin:0 0 4px}',
    '.line{margin:2px 0}',
    'button{font:inherit;margin:4px 6px 0 0;padding:4px 10px;border:1px solid #2a7de1;border-radius:6px;background:#2a7de1;color:#fff;cursor:pointer}',
    'button.sec{background:#fff;color:#2a7de1}',
    '.x{position:absolute;top:4px;right:6px;border:0;background:none;color:#888;padding:0 4px;margin:0;font-size:16px}',
    '.box.compact{padding:8px 28px 8px 8px}.box.compact .title{display:none}.box.compact .act button{display:block;width:100%;margin:0;padding:8px 10px}',
  ].join('');

  /**
   * Create (or reuse) the box for `role` in document d (opts: {isTrusted(ev)}). Returns a controller;
   * all text goes through textContent, never HTML.
   */
  function createBox(d, role, opts) {
    // Buttons act only on real user clicks. Unit tests (jsdom cannot make trusted events) pass their own rule.
    const trusted = opts && typeof opts.isTrusted === 'function' ? opts.isTrusted : (ev) => !!ev && ev.isTrusted === true;
    const old = d.querySelector('[' + TB.dom.OWN_ATTR + '="' + role + '"]');
    if (old && old.__tbCtl) return old.__tbCtl;
    const host = d.createElement('div');
    host.setAttribute(TB.dom.OWN_ATTR, role);
    host.setAttribute('data-tokenbridge-status', 'idle');
    const shadow = host.attachShadow({ mode: 'closed' });
    const style = d.createElement('style');
    style.textContent = CSS;
    const box = d.createElement('div');
    box.className = 'box';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    const close = d.createElement('button');
    close.className = 'x';
    close.textContent = '×';
    close.title = TB.strings.t('box_close');
    close.addEventListener('click', (ev) => { if (trusted(ev)) ctl.hide(); });
    const title = d.createElement('div');
    title.className = 'title';
    const name = TB.strings.t('extName');
    title.textContent = name === 'extName' ? 'tokenbridge' : name;
    const body = d.createElement('div');
    const actions = d.createElement('div');
    actions.className = 'act';
    box.append(close, title, body, actions);
    shadow.append(style, box);

    const ctl = {
      host,
      /** Replace the text: lines is a list of strings (UI language). tone: ok | err | warn | info. */
      set(status, lines, tone, compact) {
        host.setAttribute('data-tokenbridge-status', status);
        box.className = 'box ' + (tone || '') + (compact ? ' compact' : '');
        body.textContent = '';
        for (const line of lines || []) ctl.addLine(line);
        actions.textContent = '';
        ctl.show();
      },
      addLine(text) {
        const p = d.createElement('div');
        p.className = 'line';
        p.textContent = String(text);
        body.append(p);
      },
      setAttr(name, value) { host.setAttribute('data-tokenbridge-' + name, value); },
      /** Add a button; onClick runs only for trusted (user) clicks. */
      button(label, onClick, secondary) {
        const b = d.createElement('button');
        if (secondary) b.className = 'sec';
        b.textContent = label;
        b.addEventListener('click', (ev) => {
          if (!trusted(ev)) return;
          ev.preventDefault();
          ev.stopPropagation();
          onClick();
        });
        actions.append(b);
        return b;
      },
      /** For unit tests only: the button elements (the shadow root is closed to the page). */
      _buttons() { return Array.from(actions.querySelectorAll('button')); },
      _text() { return body.textContent; },
      show() {
        if (!host.isConnected) (d.body || d.documentElement).append(host);
        // The host itself is the fixed box, so its bounding rectangle is the visible box (e2e clicks its centre).
        for (const [k, v] of [['position', 'fixed'], ['right', '16px'], ['bottom', '16px'], ['left', 'auto'], ['top', 'auto'],
          ['z-index', '2147483647'], ['margin', '0'], ['padding', '0'], ['border', '0'], ['width', 'auto'], ['height', 'auto'],
          ['max-width', '380px'], ['display', 'block'], ['visibility', 'visible'], ['opacity', '1'], ['transform', 'none']]) {
          host.style.setProperty(k, v, 'important');
        }
        host.removeAttribute('data-tokenbridge-hidden');
      },
      hide() {
        host.style.setProperty('display', 'none', 'important');
        host.setAttribute('data-tokenbridge-hidden', 'true');
      },
      remove() { host.remove(); },
    };
    Object.defineProperty(host, '__tbCtl', { value: ctl, enumerable: false });
    return ctl;
  }
  /**
   * The box for `role`, created on first use: get() creates it, peek() returns it or null, show(view)
   * applies a view from lib/fill-flow.js or lib/capture-flow.js ({status, lines, tone, compact?}).
   */
  function lazyBox(d, role, opts) {
    let box = null;
    const get = () => (box = box || createBox(d, role, opts));
    return { get, peek: () => box, show: (v) => get().set(v.status, v.lines, v.tone, v.compact) };
  }
  return { createBox, lazyBox };
});
