// tokenbridge: the fill matcher (pure functions over a DOM). WHAT to look for comes from a rule of
// lib/rules.js (Logos «Подключение портфеля» is the first; every function takes the rule last and
// defaults to Logos); HOW blocks, broker choices, dialogs and fields are found is here.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('fill', (TB) => {
  'use strict';

  const LOGOS = TB.rules.LOGOS;
  const FILL_TEXT = Object.freeze({
    BLOCK_HEADING: LOGOS.block, TINKOFF: LOGOS.broker.choose, OTHER: LOGOS.broker.others,
    CONNECT: LOGOS.connect, CONNECTED: LOGOS.connected,
  });
  const ruleOr = (rule) => rule || LOGOS;
  const brokerLabels = (rule) => (rule.broker ? rule.broker.choose.concat(rule.broker.others) : []);

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
  function findBlock(root, rule) {
    const r = ruleOr(rule);
    const block = r.block ? findBlockOnly(root, r) : blockOfField(root, r);
    if (!block) return null;
    const dialog = r.block && r.broker ? brokerDialog(root, block, r) : null;
    return dialog ? { heading: block.heading, roots: block.roots.concat([dialog]), dialog } : block;
  }

  /**
   * A rule without a block heading: the block is the form (or the parent) of the ONE visible field
   * whose label, placeholder or aria-label is exactly one of the rule's field labels.
   */
  function blockOfField(root, rule) {
    const want = rule.field.labels.map(TB.dom.normLabel);
    const found = [];
    TB.dom.walk(root, (el) => {
      if (el.tagName !== 'INPUT' && el.tagName !== 'TEXTAREA') return undefined;
      if (editable(el) && fieldLabels(el).some((l) => want.includes(l))) found.push(el);
      return false;
    });
    if (found.length !== 1) return null; // none, or ambiguous: never guess
    const f = found[0];
    return { heading: null, roots: [f.form || f.parentElement || f], field: f };
  }

  function findBlockOnly(root, rule) {
    const BLOCK_HEADING = rule.block;
    let headings = TB.dom.findHeadingText(root, BLOCK_HEADING);
    // A dialog titled «Подключение портфеля» repeats the heading: the block is the one outside dialogs.
    if (headings.length > 1) {
      const outside = headings.filter((h) => !inDialog(h));
      if (outside.length === 1) headings = outside;
    }
    if (headings.length > 1) headings = headings.filter((h) => isHeadingish(h) || TB.dom.ancestors(h, 2).some(isHeadingish));
    if (headings.length !== 1) return null; // none, or ambiguous: never guess
    const heading = headings[0];
    const hasContent = (el) => (rule.broker && TB.dom.findLabel(el, brokerLabels(rule)).length > 0) ||
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

  function brokerDialog(root, block, rule) {
    const found = [];
    TB.dom.walk(root, (el) => {
      if (!isDialog(el)) return undefined;
      if ((el.tagName === 'DIALOG' && !el.open) || TB.dom.isHidden(el)) return false;
      if (block.roots.some((r) => r === el || r.contains(el) || el.contains(r))) return false; // the block itself
      if (!titleIsOnly(dialogTitle(el), rule.block.concat(rule.broker.choose))) return false;
      if (TB.dom.findLabel(el, rule.connect).length || isConnected(el, rule)) found.push(el);
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
   * Which broker is chosen: 'tinkoff' (T-Invest: the rule's choice, or a rule without a broker choice),
   * 'other', or 'none' (choices shown, none marked) / 'unknown'. `hint` is the label the user last
   * clicked inside the block ('tinkoff'|'other'), used only when the page marks nothing (no checked
   * radio, no aria-checked/selected/pressed).
   */
  function brokerState(block, hint, rule) {
    if (!block) return 'unknown';
    const r = ruleOr(rule);
    if (!r.broker) return 'tinkoff';
    const TINKOFF = r.broker.choose;
    const OTHER = r.broker.others;
    const t = findInChoices(block, TINKOFF);
    const o = findInChoices(block, OTHER);
    const sel = choiceRoots(block).map((x) => x.tagName === 'SELECT' ? x : x.querySelector('select')).find(Boolean);
    if (sel && sel.selectedOptions && sel.selectedOptions[0]) {
      const txt = TB.dom.normLabel(sel.selectedOptions[0].textContent);
      if (TINKOFF.map(TB.dom.normLabel).includes(txt)) return 'tinkoff';
      if (OTHER.map(TB.dom.normLabel).includes(txt)) return 'other';
    }
    const ts = t.map((el) => TB.dom.choiceState(el, OTHER));
    const os = o.map((el) => TB.dom.choiceState(el, TINKOFF));
    if (os.includes(true)) return 'other';
    if (ts.includes(true)) return 'tinkoff';
    if (hint === 'other' || hint === 'tinkoff') return hint;
    if (t.length || o.length) return 'none';
    return 'unknown';
  }

  /** Each label of a field on its own (placeholder, aria-label, <label>s, aria-labelledby), normalized. */
  function fieldLabels(f) {
    const parts = [f.getAttribute('placeholder'), f.getAttribute('aria-label')];
    if (f.labels) for (const l of f.labels) parts.push(l.textContent);
    const scope = f.getRootNode && f.getRootNode();
    for (const id of String(f.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)) {
      const el = scope && scope.getElementById ? scope.getElementById(id) : null;
      if (el) parts.push(el.textContent);
    }
    return parts.map(TB.dom.normLabel).filter(Boolean);
  }
  function fieldText(f) {
    return TB.dom.normLabel(fieldLabels(f).concat([f.getAttribute('name'), f.id].filter(Boolean)).join(' '));
  }

  /**
   * A password field of a login form is never a token field: a password input whose form (or the
   * page, without a form) also asks for a user name / e-mail, or that says it holds a password.
   */
  function isLoginPassword(f) {
    if (String(f.getAttribute('type') || '').toLowerCase() !== 'password') return false;
    const ac = String(f.getAttribute('autocomplete') || '').toLowerCase();
    if (/(current|new)-password/.test(ac)) return true;
    if (/пароль|password|passwd/.test(fieldText(f))) return true;
    const scope = f.form || f.ownerDocument;
    return Array.from(scope.querySelectorAll('input')).some((i) => i !== f && (
      String(i.getAttribute('type') || '').toLowerCase() === 'email' ||
      /username|email/.test(String(i.getAttribute('autocomplete') || '').toLowerCase()) ||
      /логин|login|e-?mail|имя пользователя|username/.test(fieldText(i))));
  }

  /** A visible, enabled, writable text-like field that is not a login password. */
  function editable(f) {
    const type = String(f.getAttribute('type') || 'text').toLowerCase();
    if (f.tagName === 'INPUT' && !['text', 'password', 'search', ''].includes(type)) return false;
    if (f.disabled || f.readOnly || TB.dom.isHidden(f)) return false;
    return !isLoginPassword(f);
  }

  /** Whether field f reads as the rule's token field (an exact label, or a label word). */
  function isTokenField(f, rule) {
    const labels = fieldLabels(f);
    if (rule.field.labels.some((l) => labels.includes(TB.dom.normLabel(l)))) return true;
    const text = fieldText(f);
    return rule.field.words.some((w) => text.includes(w));
  }

  /** The visible, editable text field for the token inside the block, or null. */
  function findTokenField(block, rule) {
    if (!block) return null;
    const r = ruleOr(rule);
    const fields = [];
    // An open dialog of the block is where the user types: only its fields count then.
    for (const root of block.dialog ? [block.dialog] : block.roots) {
      const list = root.matches && root.matches('input,textarea') ? [root] : Array.from(root.querySelectorAll('input,textarea'));
      for (const f of list) if (editable(f)) fields.push(f);
    }
    if (!fields.length) return null;
    const tokenish = fields.filter((f) => isTokenField(f, r));
    if (tokenish.length) return r.field.single ? tokenish[0] : (tokenish.length === 1 ? tokenish[0] : null);
    return r.field.single && fields.length === 1 ? fields[0] : null;
  }

  /** The «Подключить портфель» button inside the block, or null. */
  function findConnectButton(block, rule) {
    const r = ruleOr(rule);
    if (!block || !r.connect.length) return null;
    const el = findInBlock(block.dialog ? { roots: [block.dialog] } : block, r.connect)[0];
    return el ? TB.dom.clickableFor(el) : null;
  }

  /** True when the page shows «Портфель подключен». */
  function isConnected(root, rule) {
    const want = ruleOr(rule).connected.map(TB.dom.normLabel);
    return want.length > 0 && TB.dom.findByText(root, (t) => want.includes(TB.dom.normLabel(t))).length > 0;
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

  /** A token's kind as far as we know: its verdict, else (unchecked, or the API was down) its declared kind. */
  function kindOf(t) {
    const r = t && t.validation && t.validation.result ? t.validation.result : '';
    if (r && r !== 'upstream') return r;
    return ['full_access', 'readonly', 'sandbox'].includes(t && t.kind) ? t.kind : 'unknown';
  }
  function time(t) {
    const v = Date.parse(t && t.created_at);
    return Number.isFinite(v) ? v : 0;
  }

  /**
   * Choose the token to fill from host metadata (never secrets), for the rule's kinds: skips every
   * token whose kind the rule does not accept (invalid, no_access and sandbox never fit), then the
   * preferred kind first, then the other accepted kinds, unchecked tokens last, newest first within.
   * Returns {best, choices, skipped: [{id, reason}], total, tokens, needsConsent}: choices has more than one
   * entry when several tokens of the best's kind exist (the UI shows a chooser); needsConsent is true
   * when the best is full access where the rule prefers read-only (the user must agree first).
   */
  function pickBestToken(tokens, rule) {
    const r = ruleOr(rule);
    const list = Array.isArray(tokens) ? tokens.filter((t) => t && typeof t.id === 'string' && (!t.provider || t.provider === 'tinvest')) : [];
    const skipped = [];
    const usable = [];
    for (const t of list) {
      const k = kindOf(t);
      if (k === 'unknown' || r.accepts.includes(k)) usable.push(t);
      else skipped.push({ id: t.id, reason: k });
    }
    const rank = (t) => {
      const k = kindOf(t);
      if (k === r.prefers) return 0;
      return k === 'unknown' ? 2 : 1;
    };
    usable.sort((a, b) => (rank(a) - rank(b)) || (time(b) - time(a)));
    const best = usable[0] || null;
    const same = best ? usable.filter((t) => rank(t) === rank(best) && rank(t) < 2) : [];
    return {
      best, choices: same.length > 1 ? same : usable.slice(0, 1), skipped, total: list.length, tokens: list,
      needsConsent: !!best && r.prefers === 'readonly' && kindOf(best) !== 'readonly',
    };
  }

  /** Why nothing can be filled (UI language). */
  function noTokenReason(pick, rule) {
    if (!pick || !pick.total) return TB.strings.t('box_fill_none');
    const why = Array.from(new Set(pick.skipped.map((s) => s.reason))).map((r) => TB.strings.t('box_skip_' + r)).join(', ');
    const r = ruleOr(rule);
    return r === LOGOS ? TB.strings.t('box_fill_all_skipped', [why]) : TB.strings.t('box_fill_all_skipped_site', [why, r.name]);
  }
  return { findBlock, inBlock, findInChoices, choiceRoots, brokerState, findTokenField, findConnectButton, isConnected, isLoginPassword, editable, setNativeValue, pickBestToken, noTokenReason, FILL_TEXT };
});
