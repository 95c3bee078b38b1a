// Replica of a portfolio tracker without a tokenbridge rule: «Сохранить» posts the API field to the server.
(() => {
  'use strict';
  const form = document.getElementById('import');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await fetch('/api/sync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: document.getElementById('api').value }) });
    form.querySelector('[role=status]').textContent = res.ok ? 'Сохранено' : 'Ошибка';
  });
})();
