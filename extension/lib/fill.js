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
    const block = findBlockOnly(root);
    if (!block) return null;
    const dialog = brokerDialog(root, block);
    return dialog ? { heading: block.heading, roots: block.roots.concat([dialog]), dialog } : block;
  }

  function findBlockOnly(root) {
    let headings = TB.dom.findHeadingText(root, BLOCK_HEADING);
    // A dialog titled «Подключение портфеля» repeats the heading: the block is the one outside dialogs.
    if (headings.length > 1) {
      const outside = headings.filter((h) => !inDialog(h));
      if (outside.length === 1) headings = outside;
    }
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

  // ---------------------------------------------------------------- the token field in a modal dialog
  // Some page versions open the field in a modal dialog outside the block (often a portal at the end
  // of <body>). Such a dialog belongs to the block only when it is visible, its title (aria-labelledby,
  // aria-label or its first heading) reads as the block's name and/or «Тинькофф» and nothing else, and
  // it holds «Подключить портфель» (or already shows «Портфель подключен»). Exactly one, or none.
  const DIALOG_SEL = 'dialog,[role=dialog],[role=alertdialog],[aria-modal=true]';

  function isDialog(el) {
    return !!(el && el.nodeType === 1 && el.matches && el.matches(DIALOG_SEL));
  }
  function inDialog(el) {
    return isDialog(el) || TB.dom.ancestors(el, 30).some(isDialog);
  }

  function dialogTitle(dlg) {
    const scope = dlg.getRootNode && dlg.getRootNode();
    const byId = (id) => (scope && scope.getElementById ? scope.getElementById(id) : dlg.ownerDocument.getElementById(id));
    const ids = String(dlg.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    const labelled = TB.dom.norm(ids.map(byId).filter(Boolean).map((e) => e.textContent).join(' '));
    if (labelled) return labelled;
    const aria = TB.dom.norm(dlg.getAttribute('aria-label'));
    if (aria) return aria;
    const h = Array.from(dlg.querySelectorAll(HEADING_SEL)).find((x) => TB.dom.norm(x.textContent) && !TB.dom.isHidden(x));
    return h ? TB.dom.norm(h.textContent) : '';
  }

  /** True when title reads only as names (e.g. «Тинькофф», «Подключение портфеля — Тинькофф»). */
  function titleIsOnly(title, names) {
    const words = (x) => ' ' + TB.dom.normLabel(x).replace(/[—–:·|,.()-]+/g, ' ').replace(/\s+/g, ' ').trim() + ' ';
    let rest = words(title);
    let hit = false;
    for (const n of names.map((x) => words(x).trim()).sort((a, b) => b.length - a.length)) {
      const at = rest.indexOf(' ' + n + ' ');
      if (!n || at < 0) continue;
      rest = rest.slice(0, at) + ' ' + rest.slice(at + n.length + 1);
      hit = true;
    }
    return hit && !rest.trim();
  }

  function brokerDialog(root, block) {
    const found = [];
    TB.dom.walk(root, (el) => {
      if (!isDialog(el)) return undefined;
      if ((el.tagName === 'DIALOG' && !el.open) || TB.dom.isHidden(el)) return false;
      if (block.roots.some((r) => r === el || r.contains(el) || el.contains(r))) return false; // the block itself
      if (!titleIsOnly(dialogTitle(el), BLOCK_HEADING.concat(TINKOFF))) return false;
      if (TB.dom.findLabel(el, CONNECT).length || isConnected(el)) found.push(el);
      return false;
    });
    return found.length === 1 ? found[0] : null; // two candidate dialogs: never guess
  }

  /** The block's own parts (where the broker is chosen), without an attached dialog. */
  function choiceRoots(block) {
    return block.dialog ? block.roots.filter((r) => r !== block.dialog) : block.roots;
  }

  function inBlock(block, el) {
    return !!(block && el && block.roots.some((r) => r === el || r.contains(el)));
  }

  function findInBlock(block, labels) {
    const out = [];
    for (const r of block.roots) out.push(...TB.dom.findLabel(r, labels));
    return out;
  }
  function findInChoices(block, labels) {
    return findInBlock({ roots: choiceRoots(block) }, labels);
  }

  /**
   * Which broker is chosen: 'tinkoff', 'other', or 'none' (choices shown, none marked) / 'unknown'.
   * `hint` is the label the user last clicked inside the block ('tinkoff'|'other'), used only when the
   * page marks nothing (no checked radio, no aria-checked/selected/pressed).
   */
  function brokerState(block, hint) {
    if (!block) return 'unknown';
    const t = findInChoices(block, TINKOFF);
    const o = findInChoices(block, OTHER);
    const sel = choiceRoots(block).map((r) => r.tagName === 'SELECT' ? r : r.querySelector('select')).find(Boolean);
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
    // An open dialog of the block is where the user types: only its fields count then.
    for (const r of block.dialog ? [block.dialog] : block.roots) {
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
    const el = findInBlock(block.dialog ? { roots: [block.dialog] } : block, CONNECT)[0];
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
  return { findBlock, inBlock, findInBlock, findInChoices, choiceRoots, brokerState, findTokenField, findConnectButton, isConnected, setNativeValue, pickBestToken, noTokenReason, FILL_TEXT };
});
