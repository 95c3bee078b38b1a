// Replica of the Logos Freedom profile page (logos-up.com/profile/), logged in.
// The token field behaves like a React controlled input: its value comes from component state,
// state changes only on an `input` event, and a plain `.value = x` (which React's value tracker
// sees) followed by an event is ignored, exactly like React's onChange.
(() => {
  'use strict';
  const root = document.querySelector('._c_root_');
  const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');

  const state = { broker: null, token: '', other: '', status: 'idle', error: '' };
  const setState = (patch) => { Object.assign(state, patch); render(); };

  // React-like value tracker: remembers the last value set through the element's own property.
  function controlled(el, key) {
    let tracked = state[key];
    Object.defineProperty(el, 'value', {
      configurable: true,
      get() { return nativeValue.get.call(this); },
      set(v) { tracked = String(v); nativeValue.set.call(this, v); },
    });
    nativeValue.set.call(el, state[key]);
    el.addEventListener('input', () => {
      const now = nativeValue.get.call(el);
      if (now === tracked) return; // React: value did not change as far as the tracker knows
      tracked = now;
      // Like React, typing changes state but leaves the rest of the DOM alone (no re-render).
      state[key] = now;
      if (state.error) { state.error = ''; const e = root.querySelector('[role=alert]'); if (e) e.remove(); }
    });
    return el;
  }

  const h = (tag, props = {}, ...kids) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (v !== false && v != null) el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid.nodeType ? kid : String(kid));
    return el;
  };

  async function connect() {
    const value = state.broker === 'tinkoff' ? state.token : state.other;
    if (!value.trim()) { setState({ error: 'Введите токен' }); return; }
    setState({ status: 'sending' });
    try {
      const res = await fetch('/api/portfolio', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ broker: state.broker, value }),
      });
      if (!res.ok) throw new Error(String(res.status));
      setState({ status: 'done' });
    } catch (e) {
      setState({ status: 'idle', error: 'Ошибка подключения. Скопируйте токен ещё раз и повторите.' });
    }
  }

  // Keep focus and caret across re-renders, like React reconciling the same node.
  let nodes = {};
  function field(key, placeholder) {
    if (!nodes[key]) nodes[key] = controlled(h('input', { class: '_c_field_', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder }), key);
    else if (nativeValue.get.call(nodes[key]) !== state[key]) nativeValue.set.call(nodes[key], state[key]);
    return nodes[key];
  }

  // ?dialog=1: the page version that opens the token field in a modal dialog at the end of <body>
  // (outside the block): a native <dialog> titled «Тинькофф» for Tinkoff, an aria-modal dialog titled
  // with the block's name for the other broker; «✓ Портфель подключен» shows inside the dialog.
  const inDialog = new URLSearchParams(location.search).get('dialog') === '1';
  let modal = null;
  function showModal(key, body) {
    if (modal && modal.dataset.key !== key) { modal.remove(); modal = null; }
    if (!body) { if (modal) modal.remove(); modal = null; return; }
    if (!modal) {
      const title = key === 'tinkoff' ? 'Тинькофф' : 'Подключение портфеля';
      modal = key === 'tinkoff' ? h('dialog', { class: '_c_modal_' }) :
        h('div', { class: '_c_modal_', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': '_c_mt_' });
      modal.dataset.key = key;
      modal.append(h('h3', { class: '_c_h3_', id: '_c_mt_' }, title), h('div', {}));
      document.body.append(modal);
      if (modal.showModal) modal.showModal();
    }
    modal.lastChild.replaceWith(body);
  }

  function render() {
    const choice = (key, text) => h('button', {
      class: '_c_choice_', type: 'button', 'aria-pressed': String(state.broker === key),
      onclick: () => setState({ broker: key, status: 'idle', error: '' }),
    }, text);
    let body = null;
    if (state.status === 'done') {
      body = h('div', { class: '_c_ok_' }, '✓ Портфель подключен');
    } else if (state.broker === 'tinkoff') {
      body = h('div', {},
        h('div', { class: '_c_line_' }, 'В открывшейся строке введите Ваш токен для OpenAPI'),
        field('token', 'Токен'),
        h('button', { class: '_c_go_', type: 'button', onclick: connect }, 'Подключить портфель'),
        state.error ? h('div', { class: '_c_err_', role: 'alert' }, state.error) : null);
    } else if (state.broker === 'other') {
      body = h('div', {},
        h('div', { class: '_c_line_' }, 'Укажите ключ доступа вашего брокера'),
        field('other', 'Ключ API брокера'),
        h('button', { class: '_c_go_', type: 'button', onclick: connect }, 'Подключить портфель'),
        state.error ? h('div', { class: '_c_err_', role: 'alert' }, state.error) : null);
    }
    if (inDialog) {
      showModal(state.broker, body);
      body = state.broker ? h('div', { class: '_c_line_' }, 'Продолжите в открывшемся окне') : null;
    }
    const focused = document.activeElement;
    root.replaceChildren(
      h('div', { class: '_c_panel_' },
        h('h2', { class: '_c_h2_' }, 'Иван Петров'),
        h('div', { class: '_c_line_' }, h('span', { class: '_c_label_' }, 'Телефон:'), '+7 900 123-45-67'),
        h('div', { class: '_c_line_' }, h('span', { class: '_c_label_' }, 'Email:'), 'ivan.petrov@example.com')),
      h('div', { class: '_c_panel_' },
        h('h3', { class: '_c_h3_' }, 'Риск-профиль'),
        h('span', { class: '_c_badge_' }, 'Агрессивный профиль')),
      h('div', { class: '_c_panel_' },
        h('h3', { class: '_c_h3_' }, 'Подключение портфеля'),
        h('div', { class: '_c_choices_' }, choice('tinkoff', 'Тинькофф'), choice('other', 'Другой брокер')),
        body));
    if (focused && focused.isConnected && focused !== document.activeElement) focused.focus();
  }
  render();
})();
