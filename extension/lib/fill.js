// tokenbridge: autofill logic for Logos «Подключение портфеля» (pure functions over a DOM).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('fill', (TB) => {
  'use strict';

  const BLOCK_HEADING = ['Подключение портфеля'];
  const TINKOFF = ['Тинькофф'];
  const OTHER = ['Другой брокер'];
  const CONNECT = ['Подключить портфель'];
  const CONNECTED = ['Портфель подключен', 'Портфель подключён'];
  const FILL_TEXT = { BLOCK_HEADING, TINKOFF, OTHER, CONNECT, CONNECTED };

  const HEADING_SEL = 'h1,h2,h3,h4,h5,h6,[role=heading],legend';

  function isHeadingish(el) {
    return !!(el.matches && el.matches(HEADING_SEL));
  }

  /** Count heading elements under el (excluding those inside `except`). */
  function otherHeadings(el, except) {
    return Array.from(el.querySelectorAll(HEADING_SEL)).filter((h) => !except.contains(h) && !h.contains(except) && TB.dom.norm(h.textContent));
  }

  /**
   * The «Подключение портфеля» block: {heading, roots: [elements]} or null. The heading is found by its
   * exact text; the block is the smallest ancestor holding the broker choices (or a text field) and no
   * other section heading. In a flat layout (heading and content are siblings among other sections) the
   * block is the run of siblings after the heading up to the next heading.
   */
  function findBlock(root) {
    let headings = TB.dom.findHeadingText(root, BLOCK_HEADING);
    if (headings.length > 1) headings = headings.filter((h) => isHeadingish(h) || TB.dom.ancestors(h, 2).some(isHeadingish));
    if (headings.length !== 1) return null; // none, or ambiguous: never guess
    const heading = headings[0];
    const hasContent = (el) => TB.dom.findLabel(el, TINKOFF.concat(OTHER)).length > 0 ||
      !!el.querySelector('input:not([type=hidden]),textarea');
    let prev = heading;
    for (const a of TB.dom.ancestors(heading, 8)) {
      if (a.tagName === 'BODY' || a.tagName === 'HTML') break;
      if (otherHeadings(a, heading).length > 0) {
        // `a` spans other sections: take the siblings of `prev` that follow it, up to the next heading.
        const roots = [];
        let s = prev.nextElementSibling;
        while (s) {
          if (isHeadingish(s) || s.querySelector(HEADING_SEL)) break;
          roots.push(s);
          s = s.nextElementSibling;
        }
        if (prev !== heading) roots.unshift(prev);
        return roots.some(hasContent) ? { heading, roots } : null;
      }
      if (hasContent(a)) return { heading, roots: [a] };
      prev = a;
    }
    return null;
  }

  function inBlock(block, el) {
    return !!(block && el && block.roots.some((r) => r === el || r.contains(el)));
  }

  function findInBlock(block, labels) {
    const out = [];
    for (const r of block.roots) out.push(...TB.dom.findLabel(r, labels));
    return out;
  }

  /**
   * Which broker is chosen: 'tinkoff', 'other', or 'none' (choices shown, none marked) / 'unknown'.
   * `hint` is the label the user last clicked inside the block ('tinkoff'|'other'), used only when the
   * page marks nothing (no checked radio, no aria-checked/selected/pressed).
   */
  function brokerState(block, hint) {
    if (!block) return 'unknown';
    const t = findInBlock(block, TINKOFF);
    const o = findInBlock(block, OTHER);
    const sel = block.roots.map((r) => r.tagName === 'SELECT' ? r : r.querySelector('select')).find(Boolean);
    if (sel && sel.selectedOptions && sel.selectedOptions[0]) {
      const txt = TB.dom.normLabel(sel.selectedOptions[0].textContent);
      if (txt === TB.dom.normLabel(TINKOFF[0])) return 'tinkoff';
      if (txt === TB.dom.normLabel(OTHER[0])) return 'other';
    }
    const ts = t.map((el) => TB.dom.choiceState(el, OTHER));
    const os = o.map((el) => TB.dom.choiceState(el, TINKOFF));
    if (os.includes(true)) return 'other';
    if (ts.includes(true)) return 'tinkoff';
    if (hint === 'other' || hint === 'tinkoff') return hint;
    if (t.length || o.length) return 'none';
    return 'unknown';
  }

  function fieldText(f) {
    const parts = [f.getAttribute('placeholder'), f.getAttribute('aria-label'), f.getAttribute('name'), f.id];
    if (f.labels) for (const l of f.labels) parts.push(l.textContent);
    return TB.dom.normLabel(parts.filter(Boolean).join(' '));
  }

  /** The visible, editable text field for the token inside the block, or null. */
  function findTokenField(block) {
    if (!block) return null;
    const fields = [];
    for (const r of block.roots) {
      const list = r.matches && r.matches('input,textarea') ? [r] : Array.from(r.querySelectorAll('input,textarea'));
      for (const f of list) {
        const type = String(f.getAttribute('type') || 'text').toLowerCase();
        if (f.tagName === 'INPUT' && !['text', 'password', 'search', ''].includes(type)) continue;
        if (f.disabled || f.readOnly || TB.dom.isHidden(f)) continue;
        fields.push(f);
      }
    }
    if (!fields.length) return null;
    const tokenish = fields.find((f) => /токен|token|openapi|api/.test(fieldText(f)));
    return tokenish || (fields.length === 1 ? fields[0] : null);
  }

  /** The «Подключить портфель» button inside the block, or null. */
  function findConnectButton(block) {
    if (!block) return null;
    const el = findInBlock(block, CONNECT)[0];
    return el ? TB.dom.clickableFor(el) : null;
  }

  /** True when the page shows «Портфель подключен». */
  function isConnected(root) {
    return TB.dom.findByText(root, (t) => CONNECTED.map(TB.dom.normLabel).includes(TB.dom.normLabel(t))).length > 0;
  }

  /**
   * Set a value so that React/Vue-style controlled inputs accept it: the native prototype setter
   * (bypassing a framework's instance-level value tracker) followed by input and change events.
   */
  function setNativeValue(field, value) {
    const view = field.ownerDocument.defaultView;
    const proto = field.tagName === 'TEXTAREA' ? view.HTMLTextAreaElement.prototype : view.HTMLInputElement.prototype;
    const desc = Object.getOwnPropertyDescriptor(proto, 'value');
    field.focus && field.focus();
    desc.set.call(field, value);
    field.dispatchEvent(new view.Event('input', { bubbles: true }));
    field.dispatchEvent(new view.Event('change', { bubbles: true }));
    field.blur && field.blur();
  }

  function tokenResult(t) {
    return t && t.validation && t.validation.result ? t.validation.result : '';
  }
  function isFull(t) {
    return tokenResult(t) === 'full_access' || (!tokenResult(t) && t.kind === 'full_access') ||
      (tokenResult(t) === 'upstream' && t.kind === 'full_access');
  }
  function time(t) {
    const v = Date.parse(t && t.created_at);
    return Number.isFinite(v) ? v : 0;
  }

  /**
   * Choose the token to fill from host metadata (never secrets): skips invalid/readonly/sandbox
   * (by validation result, or by kind when unchecked), then full access first, then newest.
   * Returns {best, choices, skipped: [{id, reason}]}; choices has more than one entry when several
   * full-access tokens exist (the UI shows a chooser).
   */
  function pickBestToken(tokens) {
    const list = Array.isArray(tokens) ? tokens.filter((t) => t && typeof t.id === 'string' && (!t.provider || t.provider === 'tinvest')) : [];
    const skipped = [];
    const usable = [];
    for (const t of list) {
      const r = tokenResult(t);
      if (r === 'invalid' || r === 'readonly' || r === 'sandbox') { skipped.push({ id: t.id, reason: r }); continue; }
      if (!r && (t.kind === 'readonly' || t.kind === 'sandbox')) { skipped.push({ id: t.id, reason: t.kind }); continue; }
      usable.push(t);
    }
    usable.sort((a, b) => (isFull(b) - isFull(a)) || (time(b) - time(a)));
    const full = usable.filter(isFull);
    return { best: usable[0] || null, choices: full.length > 1 ? full : usable.slice(0, 1), skipped, total: list.length };
  }

  /** Why nothing can be filled (UI language). */
  function noTokenReason(pick) {
    if (!pick || !pick.total) return TB.strings.t('box_fill_none');
    const why = Array.from(new Set(pick.skipped.map((s) => s.reason))).map((r) => TB.strings.t('box_skip_' + r));
    return TB.strings.t('box_fill_all_skipped', [why.join(', ')]);
  }
  return { findBlock, inBlock, findInBlock, brokerState, findTokenField, findConnectButton, isConnected, setNativeValue, pickBestToken, noTokenReason, FILL_TEXT };
});
