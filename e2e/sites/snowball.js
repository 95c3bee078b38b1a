// Replica of Snowball Income's portfolio sync settings (snowball-income.com/portfolio-sync-settings):
// «Сохранить» posts what the token field holds to the server, which records it (the test reads it).
(() => {
  'use strict';
  const form = document.querySelector('form');
  const msg = form.querySelector('[role=status]');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = form.querySelector('input[type=text]').value;
    if (!token.trim()) { msg.textContent = 'Введите токен'; return; }
    const res = await fetch('/api/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: token }) });
    msg.textContent = res.ok ? 'Синхронизация настроена' : 'Ошибка';
  });
})();
