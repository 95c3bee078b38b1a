// tokenbridge: DOM helpers shared by the content scripts (pure functions, no extension APIs).
// Loaded as a classic script; attaches to globalThis.TokenBridge so unit tests can evaluate it in jsdom.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('dom', (TB) => {
  'use strict';

  // Attribute that marks our own UI hosts: scans skip them so we never read our own output.
  const OWN_ATTR = 'data-tokenbridge';

  /** Collapse whitespace (incl. NBSP) and trim. */
  function norm(s) {
    return String(s == null ? '' : s).replace(/[\s\u00a0\u200b]+/g, ' ').trim();
  }

  /** Lower-case, strip decorations («✓», «▾», quotes, trailing colon) for label comparisons. */
  function normLabel(s) {
    return norm(String(s == null ? '' : s).replace(/[✓✔☑☐☒▾▼⌄«»"]/g, ' ')).replace(/[:?]+$/, '').trim().toLowerCase();
  }

  function isOwn(el) {
    return !!(el && el.nodeType === 1 && el.hasAttribute && el.hasAttribute(OWN_ATTR));
  }

  /** True when el or an ancestor (crossing open shadow roots) is not rendered. */
  function isHidden(el) {
    let n = el;
    while (n) {
      if (n.nodeType === 11) { n = n.host; continue; } // shadow root -> host
      if (n.nodeType !== 1) { n = n.parentNode; continue; }
      if (n.hidden) return true;
      if (n.tagName === 'INPUT' && String(n.type).toLowerCase() === 'hidden') return true;
      const view = n.ownerDocument && n.ownerDocument.defaultView;
      if (view && view.getComputedStyle) {
        const cs = view.getComputedStyle(n);
        if (cs && (cs.display === 'none' || cs.visibility === 'hidden')) return true;
      }
      n = n.parentNode;
    }
    return false;
  }

  /**
   * Visit every element under root (a Document, Element or ShadowRoot), descending into OPEN shadow
   * roots, skipping our own UI. fn(el) may return false to skip the element's subtree.
   * Bounded: stops after `limit` elements (default 20000) so a hostile page cannot make us loop forever.
   */
  function walk(root, fn, limit) {
    const max = limit || 20000;
    let count = 0;
    const stack = [root];
    while (stack.length) {
      const node = stack.pop();
      if (!node) continue;
      if (node.nodeType === 1) {
        if (isOwn(node)) continue;
        if (++count > max) return;
        if (fn(node) === false) continue;
        if (node.shadowRoot) stack.push(node.shadowRoot);
      }
      const kids = node.children;
      if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
  }

  /** All open shadow roots under root (for attaching observers). */
  function openShadowRoots(root) {
    const out = [];
    walk(root, (el) => { if (el.shadowRoot) out.push(el.shadowRoot); });
    return out;
  }

  /**
   * Deepest visible elements whose own normalized text satisfies match(text). "Deepest" means no child
   * element also matches, so a heading is found rather than its section.
   */
  function findByText(root, match, opts) {
    const o = opts || {};
    const out = [];
    walk(root, (el) => {
      const tag = el.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT' || tag === 'TEMPLATE') return false;
      if (!o.includeHidden && isHidden(el)) return false;
      const text = norm(el.textContent);
      if (!text || text.length > (o.maxLen || 200)) return; // too long to be a label, but descend
      if (!match(text, el)) return;
      for (const c of el.children) {
        if (!isOwn(c) && match(norm(c.textContent), c)) return; // a child matches: keep descending
      }
      out.push(el);
      return false;
    });
    return out;
  }

  /** Elements whose label (see normLabel) equals one of the given labels exactly. */
  function findLabel(root, labels, opts) {
    const want = (Array.isArray(labels) ? labels : [labels]).map(normLabel);
    return findByText(root, (t) => want.includes(normLabel(t)), opts);
  }

  /** Strict form for headings: only a leading «✓» and whitespace may differ (no «?», no extra words). */
  function findHeadingText(root, labels, opts) {
    const want = (Array.isArray(labels) ? labels : [labels]).map((l) => norm(l).toLowerCase());
    return findByText(root, (t) => want.includes(norm(t.replace(/^[\s✓✔☑]+/, '')).toLowerCase()), opts);
  }

  /** Closest ancestor (crossing shadow roots) for which pred is true, at most `depth` steps up. */
  function ancestors(el, depth) {
    const out = [];
    let n = el;
    while (n && out.length < (depth || 50)) {
      n = n.parentNode;
      if (n && n.nodeType === 11) n = n.host;
      if (!n || n.nodeType !== 1) break;
      out.push(n);
    }
    return out;
  }

  const CONTROL_SEL = 'input[type=checkbox],input[type=radio],[role=checkbox],[role=radio],[role=switch],[role=tab],[role=option],[aria-checked],[aria-pressed],[aria-selected]';

  /** Checked state of a checkbox-like control: true, false, or null when it says nothing. */
  function controlChecked(c) {
    if (!c || c.nodeType !== 1) return null;
    if (c.tagName === 'INPUT' && (c.type === 'checkbox' || c.type === 'radio')) return !!c.checked;
    for (const a of ['aria-checked', 'aria-pressed', 'aria-selected']) {
      const v = c.getAttribute(a);
      if (v === 'true' || v === 'mixed') return true;
      if (v === 'false') return false;
    }
    if (c.tagName === 'OPTION') return !!c.selected;
    return null;
  }

  /**
   * State of the choice whose visible label is labelEl: looks at the label element itself, a wrapping
   * <label>, and nearby ancestors that hold exactly one control and none of the `others` labels.
   * Returns true / false / null (unknown).
   */
  function choiceState(labelEl, others) {
    const otherLabels = (others || []).map(normLabel);
    const own = controlChecked(labelEl);
    if (own !== null) return own;
    const chain = [labelEl].concat(ancestors(labelEl, 5));
    for (const a of chain) {
      if (a.tagName === 'LABEL' && a.control) return controlChecked(a.control);
      if (a !== labelEl) {
        const st = controlChecked(a);
        if (st !== null) return st;
      }
      const text = normLabel(a.textContent);
      if (a !== labelEl && otherLabels.some((o) => o && text.includes(o))) return null; // reached a shared parent
      const controls = Array.from(a.querySelectorAll(CONTROL_SEL)).filter((c) => c !== a);
      if (controls.length === 1) return controlChecked(controls[0]);
      if (controls.length > 1) return null;
    }
    return null;
  }

  /** The clickable element for a label (button, [role=button|radio|tab], <label>, link) or the label itself. */
  function clickableFor(labelEl) {
    const chain = [labelEl].concat(ancestors(labelEl, 4));
    for (const a of chain) {
      if (a.matches && a.matches('button,a[href],label,[role=button],[role=radio],[role=tab],[role=option],input')) return a;
    }
    return labelEl;
  }

  function debounce(fn, ms) {
    let t = null;
    return function () {
      if (t) clearTimeout(t);
      t = setTimeout(() => { t = null; fn(); }, ms);
    };
  }
  return { OWN_ATTR, norm, normLabel, isHidden, walk, openShadowRoots, findByText, findLabel, findHeadingText, ancestors, choiceState, clickableFor, debounce };
});
