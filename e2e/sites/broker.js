// Replica of the broker's settings SPA (www.tbank.ru / www.tinkoff.ru /invest/settings/).
// Visible texts follow the user's guide; markup and class names are invented and change per run.
(() => {
  'use strict';
  const root = document.querySelector('._c_app_');
  const brand = root.dataset.brand;
  const blockTitle = root.dataset.blockTitle;
  // 'copy': the token reaches the user only through «Скопировать токен» (the guide's version);
  // 'show': another version of the page that also shows it in a read-only field.
  const variant = root.dataset.variant === 'show' ? 'show' : 'copy';
  // Steps the bank may insert between «Выпустить токен» and «Токен выпущен» (server state or ?steps=…,
  // any of confirm,sms,relogin,reload, done in the order given): a dialog «Подтвердите выпуск токена» → «Подтвердить»,
  // an SMS code typed (4 digits), a repeated login (password + «Войти»): same SPA, no reload; or
  // 'reload': the repeated login on its own page — a full navigation to /auth/login/ on the same origin
  // (no tokenbridge script there), password + «Войти», and back: the returned page issues the token and
  // shows «Токен выпущен» with no further user action (the pending issue waits in sessionStorage; no token).
  const STEPS = ['confirm', 'sms', 'relogin', 'reload'];
  const PENDING = 'replica-pending-issue';
  let steps = String(root.dataset.steps || '').split(',').filter((x) => STEPS.includes(x));
  delete root.dataset.brand; delete root.dataset.blockTitle; delete root.dataset.variant; delete root.dataset.steps;

  // App state; the issued token lives only in this closure (never in the DOM, never in a URL).
  let view = 'settings';
  let account = 'Все счета';
  let access = null; // 'readonly' | 'full_access'
  let menuOpen = false;
  let issued = null;
  let busy = false;
  let toast = '';
  let step = null; // the extra step shown now: 'confirm' | 'sms' | 'relogin' | null
  let stepAt = 0;

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
  const go = (next, path) => {
    view = next;
    if (path && location.pathname !== path) history.pushState({ view: next }, '', path);
    render();
  };
  window.addEventListener('popstate', () => {
    view = location.pathname.includes('/tokens') ? 'create' : 'settings';
    issued = null; render();
  });

  const header = () => h('div', { class: '_c_header_' }, brand, h('span', {}, 'Портфель'), h('span', {}, 'Каталог'), h('span', {}, 'Настройки'));

  function settings() {
    return h('div', { class: '_c_main_' },
      h('div', { class: '_c_h1_' }, 'Настройки'),
      h('div', { class: '_c_card_' },
        h('div', { class: '_c_h2_' }, 'Уведомления'),
        h('div', { class: '_c_row_' }, 'Push-уведомления о сделках', h('span', { class: '_c_muted_' }, 'Включены')),
        h('div', { class: '_c_row_' }, 'Отчёты брокера на email', h('span', { class: '_c_muted_' }, 'Ежемесячно'))),
      h('div', { class: '_c_card_' },
        h('div', { class: '_c_h2_' }, 'Подтверждение сделок'),
        h('div', { class: '_c_row_' }, 'Подтверждать поручения кодом из СМС', h('span', { class: '_c_muted_' }, 'Нет'))),
      h('div', { class: '_c_card_' },
        h('div', { class: '_c_h2_' }, blockTitle),
        h('div', { class: '_c_muted_' }, 'Токен нужен для работы с T-Invest API: торговых роботов и сторонних сервисов.'),
        // Existing tokens are listed masked: these are not tokens.
        h('div', { class: '_c_row_' }, 'Робот (только чтение)', h('span', { class: '_c_muted_' }, 't.Qk7…' + 'mR2w')),
        h('div', { class: '_c_row_' }, 'Аналитика', h('span', { class: '_c_muted_' }, 't.**********************Xy9p')),
        h('p', {}, h('button', { class: '_c_btn_', onclick: () => go('create', '/invest/settings/tokens/') }, 'Создать токен'))));
  }

  function create() {
    const box = (kind, label, hint) => h('label', {
      class: '_c_check_', role: 'checkbox', 'aria-checked': String(access === kind), tabindex: '0',
      onclick: () => { access = access === kind ? null : kind; render(); },
    }, label, hint ? h('span', { class: '_c_hint_', title: 'Токен позволит только смотреть портфель' }, '?') : null,
    h('span', { class: '_c_box_', 'aria-checked': String(access === kind) }, access === kind ? '✓' : ''));
    // An account named with an emoji ZWJ sequence (the family: man, woman, girl) and a right-to-left mark.
    const accounts = ['Все счета', 'Брокерский счёт', 'ИИС', 'Семья 👨\u200d👩\u200d👧\u200f'];
    return h('div', { class: '_c_main_' },
      h('button', { class: '_c_link_', onclick: () => history.back() }, '< Назад'),
      h('div', { class: '_c_h1_' }, 'Управление токенами Invest API'),
      h('div', { class: '_c_card_' },
        h('div', { class: '_c_h2_' }, 'Создание токена'),
        h('div', { class: '_c_select_', role: 'button', onclick: () => { menuOpen = !menuOpen; render(); } },
          `${account} ▾`,
          menuOpen ? h('div', { class: '_c_menu_' }, accounts.map((a) => h('div', {
            onclick: (e) => { e.stopPropagation(); account = a; menuOpen = false; render(); },
          }, a))) : null),
        box('readonly', 'Только для чтения', true),
        box('full_access', 'Полный доступ', false),
        h('p', {}, h('button', { class: '_c_btn_', disabled: !access || busy, onclick: () => nextStep(0) }, 'Выпустить токен'))),
      step === 'confirm' ? confirmDialog() : null);
  }

  /** Show extra step number i, or issue when there is none left. */
  function nextStep(i) {
    stepAt = i;
    step = steps[i] || null;
    if (step === 'confirm') { render(); return; }
    if (step === 'reload') {
      sessionStorage.setItem(PENDING, JSON.stringify({ access, account, steps, next: i + 1 }));
      location.assign('/auth/login/?back=' + encodeURIComponent('/invest/settings/tokens/'));
      return;
    }
    if (step) { view = step; render(); return; }
    issue();
  }

  /** The login page of the 'reload' step (its own page load): password + «Войти» → back to the bank page. */
  function loginPage() {
    const pw = h('input', { class: '_c_code_', type: 'password', 'aria-label': 'Пароль', placeholder: 'Пароль' });
    const back = new URLSearchParams(location.search).get('back') || '';
    const login = () => { if (pw.value) location.assign(/^\/invest\/settings\//.test(back) ? back : '/invest/settings/'); };
    return h('div', { class: '_c_main_' }, h('div', { class: '_c_card_' },
      h('div', { class: '_c_h2_' }, 'Войдите снова'),
      h('div', { class: '_c_muted_' }, 'Сессия истекла: введите пароль, чтобы продолжить.'), pw,
      h('p', {}, h('button', { class: '_c_btn_', onclick: login }, 'Войти'))));
  }
  const stepDone = () => nextStep(stepAt + 1);

  function confirmDialog() {
    return h('div', { class: '_c_overlay_' }, h('div', { class: '_c_dialog_', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'dlg-t' },
      h('div', { class: '_c_h2_', id: 'dlg-t' }, 'Подтвердите выпуск токена'),
      h('div', { class: '_c_muted_' }, 'Токен даст доступ к счетам через T-Invest API.'),
      h('p', {}, h('button', { class: '_c_btn_', onclick: () => { step = null; stepDone(); } }, 'Подтвердить'),
        h('button', { class: '_c_link_', onclick: () => { step = null; render(); } }, 'Отмена'))));
  }

  function sms() {
    const input = h('input', { class: '_c_code_', inputmode: 'numeric', maxlength: '4', 'aria-label': 'Код из СМС', placeholder: 'Код' });
    input.addEventListener('input', () => { if (/^\d{4}$/.test(input.value)) stepDone(); });
    setTimeout(() => input.focus(), 0);
    return h('div', { class: '_c_main_' }, h('div', { class: '_c_card_' },
      h('div', { class: '_c_h2_' }, 'Введите код из СМС'),
      h('div', { class: '_c_muted_' }, 'Код отправлен на +7 *** ***-**-12'), input));
  }

  function relogin() {
    const pw = h('input', { class: '_c_code_', type: 'password', 'aria-label': 'Пароль', placeholder: 'Пароль' });
    setTimeout(() => pw.focus(), 0);
    return h('div', { class: '_c_main_' }, h('div', { class: '_c_card_' },
      h('div', { class: '_c_h2_' }, 'Войдите снова'),
      h('div', { class: '_c_muted_' }, 'Сессия истекла: введите пароль, чтобы продолжить.'), pw,
      h('p', {}, h('button', { class: '_c_btn_', onclick: () => { if (pw.value) stepDone(); } }, 'Войти'))));
  }

  async function issue() {
    busy = true; step = null; render();
    try {
      const res = await fetch('/api/invest/tokens', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access, account: account === 'Все счета' ? 'all' : account }),
      });
      const data = await res.json();
      issued = data.token;
      busy = false;
      view = 'issued'; render(); // same SPA, no reload
    } catch (e) {
      busy = false; toast = 'Не удалось выпустить токен, попробуйте ещё раз'; render();
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(issued);
      toast = 'Токен скопирован';
    } catch (e) {
      toast = 'Не удалось скопировать токен';
    }
    render();
    setTimeout(() => { toast = ''; render(); }, 2500);
  }

  function done() {
    return h('div', { class: '_c_main_' },
      h('div', { class: '_c_card_ _c_done_' },
        h('div', { class: '_c_tick_' }, '✓'),
        h('div', { class: '_c_h1_' }, 'Токен выпущен'),
        h('div', { class: '_c_warn_' }, 'Внимание! Зная этот токен, можно управлять счетом и отправлять торговые поручения от вашего имени.'),
        h('div', { class: '_c_muted_' }, 'Сохраните токен в надежном месте и не передавайте третьим лицам'),
        variant === 'show' ? h('input', { class: '_c_shown_', readonly: true, value: issued, 'aria-label': 'Токен', size: '96' }) : null,
        h('p', {}, h('button', { class: '_c_btn_', onclick: copy }, 'Скопировать токен')),
        h('a', { class: '_c_link_', href: '/invest/settings/', onclick: (e) => { e.preventDefault(); issued = null; access = null; go('settings', '/invest/settings/'); } }, 'Управление токенами')));
  }

  function render() {
    if (view === 'login') { root.replaceChildren(header(), loginPage()); return; }
    const page = view === 'settings' ? settings() : view === 'create' ? create() : view === 'sms' ? sms() : view === 'relogin' ? relogin() : done();
    root.replaceChildren(header(), page, toast ? h('div', { class: '_c_toast_' }, toast) : '');
  }
  if (location.pathname.includes('/tokens')) view = 'create';
  if (location.pathname.startsWith('/auth/login')) view = 'login';
  render();
  // Back from the 'reload' step's login page: continue the pending issue (no user action on this page).
  const pending = view === 'login' ? null : sessionStorage.getItem(PENDING);
  if (pending) {
    sessionStorage.removeItem(PENDING);
    const p = JSON.parse(pending);
    access = p.access; account = p.account; steps = p.steps.filter((x) => STEPS.includes(x)); view = 'create';
    nextStep(p.next);
  }
})();
