// tokenbridge: bilingual strings for the in-page boxes (Russian first, then English) and label building.
// The popup uses _locales via i18n.getMessage; the in-page boxes always show both languages because the
// user may run the browser in English on a Russian site.
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('strings', (TB) => {
  'use strict';

  const S = {
    kind_full_access: ['полный доступ', 'full access'],
    kind_readonly: ['только чтение', 'read-only'],
    kind_sandbox: ['песочница', 'sandbox'],
    kind_unknown: ['доступ не определён', 'access unknown'],
    scope_all: ['все счета', 'all accounts'],
    scope_account: ['счёт «$1»', 'account “$1”'],
    saving: ['Сохраняю токен в связку ключей…', 'Saving the token to the keyring…'],
    stored: ['Токен сохранён в связке ключей: $1 ($2).', 'Token saved in the keyring: $1 ($2).'],
    already: ['Этот токен уже сохранён: $1 ($2).', 'This token is already saved: $1 ($2).'],
    checking: ['Проверяю токен…', 'Checking the token…'],
    verdict_full_access: ['Проверен: полный доступ, счетов: $1.', 'Checked: full access, $1 account(s).'],
    verdict_readonly: ['Проверен: только чтение, счетов: $1. Для Logos нужен полный доступ.', 'Checked: read-only, $1 account(s). Logos needs full access.'],
    verdict_sandbox: ['Проверен: токен песочницы, для Logos не подходит.', 'Checked: sandbox token, not usable for Logos.'],
    verdict_invalid: ['Токен недействителен (отозван или неверен).', 'The token is invalid (revoked or wrong).'],
    verdict_upstream: ['Не удалось проверить: сервер T-Invest недоступен. Проверьте позже в меню расширения.', 'Could not check: the T-Invest server did not answer. Check later from the extension menu.'],
    verdict_error: ['Проверка не удалась: $1', 'Check failed: $1'],
    err_host_missing: ['Токен НЕ сохранён: программа tokenbridge не установлена. Выполните ./scripts/install.sh (или tokenbridge install) и выпустите токен заново.', 'Token NOT saved: the tokenbridge host is not installed. Run ./scripts/install.sh (or tokenbridge install) and issue a new token.'],
    err_host_forbidden: ['Токен НЕ сохранён: программа tokenbridge не разрешает это расширение. Выполните tokenbridge install --extension-id $1', 'Token NOT saved: the host does not allow this extension ID. Run tokenbridge install --extension-id $1'],
    err_keyring_locked: ['Токен НЕ сохранён: связка ключей заблокирована. Разблокируйте её («Пароли и ключи» / Seahorse или выйдите и войдите снова) и выпустите токен заново.', 'Token NOT saved: the keyring is locked. Unlock it (Seahorse «Passwords and Keys», or log out and in) and issue a new token.'],
    err_keyring_unavailable: ['Токен НЕ сохранён: нет связки ключей (Secret Service / Keychain / Credential Manager). Запустите её и выпустите токен заново.', 'Token NOT saved: no keyring answered (Secret Service / Keychain / Credential Manager). Start one and issue a new token.'],
    err_keyring_timeout: ['Токен НЕ сохранён: связка ключей не ответила за 5 с (скрытый запрос пароля?).', 'Token NOT saved: the keyring did not answer within 5 s (a hidden unlock prompt?).'],
    err_generic: ['Токен НЕ сохранён: $1', 'Token NOT saved: $1'],
    err_capture_limit: ['Токен НЕ сохранён: с этой страницы уже сохранено слишком много токенов. Перезагрузите страницу; если токен нужен, добавьте его в меню расширения («Добавить токен»).', 'Token NOT saved: this page already stored too many tokens. Reload the page; to keep this token, add it in the extension menu ("Add a token").'],
    fill_filled: ['tokenbridge вставил токен: $1.', 'tokenbridge filled the token: $1.'],
    fill_choose: ['Выберите токен:', 'Choose a token:'],
    fill_offer: ['Выбрать «Тинькофф» и вставить токен', 'Choose «Тинькофф» and fill the token'],
    fill_offer_fill: ['Вставить токен T-Invest', 'Fill the T-Invest token'],
    fill_none: ['Нет сохранённых токенов T-Invest. Выпустите токен с полным доступом на tbank.ru.', 'No saved T-Invest tokens. Issue a full-access token on tbank.ru.'],
    fill_all_skipped: ['Нет подходящего токена: $1. Logos нужен действующий токен с полным доступом.', 'No usable token: $1. Logos needs a valid full-access token.'],
    fill_connected: ['Портфель подключен: использование токена записано.', 'Portfolio connected: token use recorded.'],
    fill_error: ['Не удалось вставить токен: $1', 'Could not fill the token: $1'],
    skip_invalid: ['недействителен', 'invalid'],
    skip_readonly: ['только чтение', 'read-only'],
    skip_sandbox: ['песочница', 'sandbox'],
    close: ['Закрыть', 'Close'],
  };
  const STRINGS = S;

  function sub(s, args) {
    return String(s).replace(/\$(\d)/g, (_, d) => (args && args[d - 1] != null ? String(args[d - 1]) : ''));
  }

  /** [russian, english] for key with $1.. substitutions. */
  function tr(key, args) {
    const e = S[key] || [key, key];
    return [sub(e[0], args), sub(e[1], args)];
  }

  const KINDS = ['full_access', 'readonly', 'sandbox', 'unknown'];

  /** Human kind in [ru, en]. */
  function kindText(kind) {
    return tr('kind_' + (KINDS.includes(kind) ? kind : 'unknown'));
  }

  function scopeText(scope) {
    if (!scope || scope.all_accounts) return tr('scope_all');
    if (scope.account_name) return tr('scope_account', [scope.account_name]);
    return ['', ''];
  }

  /** The label stored with a captured token (Russian, ≤100 chars, no control characters). */
  function buildLabel(kind, scope) {
    const parts = ['T-Invest', kindText(kind)[0]];
    const sc = scopeText(scope)[0];
    if (sc) parts.push(sc);
    return parts.join(' · ').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 100);
  }
  return { tr, KINDS, kindText, scopeText, buildLabel, STRINGS };
});
