// Fill cases beyond the basic Logos flow, registered inside flowSuite (suite.mjs) so they reuse its run
// and the token it captured. ctx: {browserName, logosHost, run(), token(), tokenMeta()}.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FILL_SEL } from './flow.mjs';

const fillStatus = (d) => d.evaluate((sel) => {
  const el = document.querySelector(sel);
  return el ? el.getAttribute('data-tokenbridge-status') : null;
}, FILL_SEL);

export function logosDialogCases(ctx) {
  it('fills the token field of a modal dialog outside the block (?dialog=1) and records «Портфель подключен» shown in it', async () => {
    const run = ctx.run();
    const token = ctx.token();
    assert.ok(token, 'needs the captured token');
    const d = await run.newPage();
    try {
      await d.goto(`https://${ctx.logosHost}/profile/?dialog=1`);
      await d.waitText('Подключение портфеля');
      await d.clickText('Тинькофф');
      const where = await d.waitFor(() => {
        const i = [...document.querySelectorAll('input')].find((x) => x.placeholder === 'Токен');
        if (!i || !i.value) return null;
        const dlg = i.closest('dialog');
        return { value: i.value, inDialog: !!(dlg && dlg.open), title: dlg ? dlg.querySelector('h3').textContent : '' };
      }, null, { timeout: 10000, what: 'the token field in the dialog to be filled' });
      assert.ok(where.value === token, 'the dialog field holds the captured token');
      assert.equal(where.inDialog, true, 'the field is inside the open modal <dialog>');
      assert.equal(where.title, 'Тинькофф');
      assert.equal(await fillStatus(d), 'filled');
      await d.clickText('Подключить портфель');
      await d.waitFor(() => { const g = document.querySelector('dialog'); return g && g.innerText.includes('✓ Портфель подключен'); }, null, { what: '«✓ Портфель подключен» inside the dialog' });
      const recorded = await d.waitFor((sel) => {
        const el = document.querySelector(sel);
        return el && el.getAttribute('data-tokenbridge-status') === 'connected';
      }, FILL_SEL, { timeout: 10000, what: 'the use to be recorded (box status connected)' }).catch(() => false);
      assert.ok(recorded, `record_use done after «Портфель подключен» in the dialog (status ${await fillStatus(d)})`);
      const got = run.sites.state.received.filter((r) => r.host === ctx.logosHost);
      assert.ok(got.length > 0 && got.at(-1).value === token && got.at(-1).broker === 'tinkoff', 'the Logos server got the token from the dialog');
      const decoys = await d.evaluate(() => [...document.querySelectorAll('input')].filter((i) => i.placeholder !== 'Токен').map((i) => i.value));
      assert.equal(decoys.filter(Boolean).length, 0, 'decoy fields stay empty');
    } finally {
      await d.page.close();
    }
  });

  it('never fills the other broker\'s dialog, even though it is titled «Подключение портфеля» (?dialog=1)', async () => {
    const run = ctx.run();
    const d = await run.newPage();
    try {
      await d.goto(`https://${ctx.logosHost}/profile/?dialog=1`);
      await d.clickText('Другой брокер');
      await d.waitFor(() => [...document.querySelectorAll('[role=dialog] input')].some((i) => i.placeholder === 'Ключ API брокера'), null, { what: 'the other broker\'s dialog' });
      await new Promise((r) => setTimeout(r, 1500));
      const values = await d.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
      assert.equal(values.filter(Boolean).length, 0, 'no field holds anything');
      assert.notEqual(await fillStatus(d), 'filled');
    } finally {
      await d.page.close();
    }
  });
}
