// tokenbridge: capture logic for the broker's «Токен выпущен» page (pure functions over a DOM).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('capture', (TB) => {
  'use strict';

  const ISSUED = ['Токен выпущен'];
  const ISSUE_BUTTON = ['Выпустить токен'];
  const FULL = ['Полный доступ'];
  const READONLY = ['Только для чтения'];
  const ALL_ACCOUNTS = ['Все счета'];
  const COPY_BUTTON = ['Скопировать токен'];

  function doc(root) { return root && root.nodeType === 9 ? root : (root && root.ownerDocument) || root; }

  /** True when the page shows the «Токен выпущен» heading (exact text; look-alikes do not count). */
  function isIssuedPage(root) {
    return TB.dom.findHeadingText(root, ISSUED).length > 0;
  }

  /** True when the creation form («Выпустить токен» button) is shown. */
  function isIssueForm(root) {
    return TB.dom.findLabel(root, ISSUE_BUTTON).length > 0;
  }

  const INLINE = new Set(['SPAN', 'B', 'I', 'EM', 'STRONG', 'CODE', 'MARK', 'SMALL', 'WBR', 'SAMP', 'KBD', 'TT', 'U', 'S']);

  /**
   * Every full token the page offers under root: visible or hidden text, input/textarea values,
   * data-clipboard-text / value attributes, open shadow roots. Masked and partial forms never match.
   */
  function findTokens(root) {
    const found = [];
    const add = (list) => { for (const t of list) if (!found.includes(t)) found.push(t); };
    const scanText = (s) => { if (s && s.indexOf('t.') !== -1) add(TB.token.extractTokens(s)); };
    TB.dom.walk(root, (el) => {
      const tag = el.tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'TEMPLATE' || tag === 'NOSCRIPT') return false;
      if (tag === 'INPUT' || tag === 'TEXTAREA') scanText(String(el.value || ''));
      for (const a of ['data-clipboard-text', 'data-token', 'data-value', 'value']) {
        if (el.hasAttribute(a)) scanText(el.getAttribute(a));
      }
      // Text: direct text nodes, plus the whole text of elements made only of inline children (a token
      // split into <span>s for styling).
      let inlineOnly = true;
      for (const c of el.children) if (!INLINE.has(c.tagName)) { inlineOnly = false; break; }
      if (inlineOnly && el.children.length) scanText(el.textContent);
      for (const n of el.childNodes) if (n.nodeType === 3) scanText(n.nodeValue);
    });
    return found;
  }

  /** The one token on the page, or null when there is none or several (ambiguous: wait for the copy). */
  function findTokenOnPage(root) {
    const all = findTokens(root);
    return all.length === 1 ? all[0] : null;
  }

  /** The smallest ancestor of the «Выпустить токен» button that also holds the access checkboxes. */
  function issueForm(root) {
    const btn = TB.dom.findLabel(root, ISSUE_BUTTON)[0];
    if (!btn) return null;
    for (const a of TB.dom.ancestors(btn, 12)) {
      const t = TB.dom.normLabel(a.textContent);
      if (t.includes(TB.dom.normLabel(FULL[0])) || t.includes(TB.dom.normLabel(READONLY[0]))) return a;
    }
    return null;
  }

  /**
   * What the user chose on the creation form: {kind: full_access|readonly|unknown,
   * scope: {all_accounts, account_name}}.
   */
  function readIssueChoices(root) {
    const form = issueForm(root) || (doc(root) && doc(root).body) || root;
    const state = (labels, others) => {
      for (const el of TB.dom.findLabel(form, labels)) {
        const s = TB.dom.choiceState(el, others);
        if (s !== null) return s;
      }
      return null;
    };
    const full = state(FULL, READONLY);
    const ro = state(READONLY, FULL);
    let kind = 'unknown';
    if (full === true) kind = 'full_access';
    else if (ro === true) kind = 'readonly';

    let scope = { all_accounts: false, account_name: '' };
    // A <select> says it directly.
    const sel = Array.from(form.querySelectorAll('select')).find((s) => !TB.dom.isHidden(s));
    const allRe = TB.dom.normLabel(ALL_ACCOUNTS[0]);
    const clean = (s) => TB.dom.norm(String(s).replace(/[▾▼⌄]/g, ' ').replace(/^(\.\.\.|…)\s*/, '')).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 100);
    if (sel && sel.selectedOptions && sel.selectedOptions[0]) {
      const t = clean(sel.selectedOptions[0].textContent);
      scope = TB.dom.normLabel(t) === allRe ? { all_accounts: true, account_name: '' } : { all_accounts: false, account_name: t };
    } else if (TB.dom.findByText(form, (t) => TB.dom.normLabel(t.replace(/^(\.\.\.|…)/, '')) === allRe).length) {
      scope = { all_accounts: true, account_name: '' };
    } else {
      const combo = Array.from(form.querySelectorAll('[role=combobox],[aria-haspopup],[role=listbox] [aria-selected=true]'))
        .find((c) => !TB.dom.isHidden(c) && clean(c.textContent));
      // Or a dropdown shown as text with an arrow: «ИИС ▾» (its own text node, not an open menu).
      const arrow = combo ? null : TB.dom.findByText(form, (t, el) => /^[^▾▼⌄]{1,100}[▾▼⌄]$/.test(t) &&
        Array.from(el.childNodes).some((n) => n.nodeType === 3 && /[▾▼⌄]/.test(n.nodeValue)))[0];
      const pickEl = combo || arrow;
      if (pickEl) {
        // Use the element's own text nodes (an open menu's items are child elements).
        const own = Array.from(pickEl.childNodes).filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join(' ');
        const name = clean(own) || clean(pickEl.textContent);
        if (name) scope = TB.dom.normLabel(name) === allRe ? { all_accounts: true, account_name: '' } : { all_accounts: false, account_name: name };
      }
    }
    return { kind, scope };
  }

  /** True when el (a click target) is, or is inside, the «Выпустить токен» / «Скопировать токен» control. */
  function isControlWithLabel(el, labels) {
    const want = labels.map(TB.dom.normLabel);
    let n = el;
    for (let i = 0; n && i < 6; i++) {
      if (n.nodeType === 1 && want.includes(TB.dom.normLabel(n.textContent))) return true;
      n = n.parentNode && n.parentNode.nodeType === 11 ? n.parentNode.host : n.parentNode;
    }
    return false;
  }
  const isCopyClick = (el) => isControlWithLabel(el, COPY_BUTTON);

  /** Candidate text from a copy event: clipboardData set by the page, the selection, or a selected field. */
  function copyEventText(ev, d) {
    const out = [];
    try {
      const cd = ev && ev.clipboardData;
      if (cd && cd.getData) out.push(cd.getData('text/plain'));
    } catch (_) { /* not readable */ }
    try {
      const sel = d.getSelection && d.getSelection();
      if (sel) out.push(String(sel));
    } catch (_) { /* ignore */ }
    const ae = d.activeElement;
    if (ae && (ae.tagName === 'TEXTAREA' || ae.tagName === 'INPUT')) {
      try { out.push(String(ae.value).slice(ae.selectionStart || 0, ae.selectionEnd == null ? undefined : ae.selectionEnd)); } catch (_) { out.push(String(ae.value)); }
    }
    return out.filter(Boolean);
  }
  return { isIssuedPage, isIssueForm, findTokenOnPage, readIssueChoices, copyEventText, isCopyClick };
});
