// Fill cases beyond the basic Logos flow, registered inside flowSuite (suite.mjs) so they reuse its run
// and the tokens it captured. ctx: {browserName, logosHost, run(), token(), tokenMeta(), roToken(), extensionId()}.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { listTokens, sameSecret } from './env.mjs';
import { openExtensionPage } from './browsers.mjs';
import { FILL_SEL } from './flow.mjs';
import { LOOKALIKE_SNOWBALL_HOSTS } from './sites.mjs';

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

// ---------------------------------------------------------------- a third-party consumer with a built-in rule
const SNOWBALL = 'https://snowball-income.com/portfolio-sync-settings';
const SNOWBALL_ORIGIN = 'https://snowball-income.com';

/** A real (trusted) mouse click on the centre of the in-page box (its closed shadow root holds one button). */
async function clickBox(d) {
  const at = await d.waitFor((sel) => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return r.width > 0 ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : null;
  }, FILL_SEL, { what: 'the tokenbridge box' });
  await d.page.mouse.click(at.x, at.y);
}
const waitStatus = (d, pred, what) => d.waitFor((sel) => {
  const el = document.querySelector(sel);
  return el ? el.getAttribute('data-tokenbridge-status') : null;
}, FILL_SEL, { what }).then(async function again(s) {
  for (let i = 0; i < 100 && !pred(s); i++) { await new Promise((r) => setTimeout(r, 100)); s = await fillStatus(d); }
  return s;
});
function allowedOrigins(run) {
  let cfg = {};
  try { cfg = JSON.parse(readFileSync(join(run.home, 'config.json'), 'utf8')); } catch (_) { /* no config yet */ }
  return ((cfg.fill_origins || {}).tinvest) || [];
}
const tokenField = (d) => d.evaluate(() => document.getElementById(document.querySelector('label').htmlFor).value);

export function snowballCases(ctx) {
  it('the Snowball replica (its rule\'s site granted by the browser) gets no token before the user allows it, and a page cannot allow itself', async () => {
    const run = ctx.run();
    const d = await run.newPage();
    try {
      await d.goto(SNOWBALL);
      assert.equal(await waitStatus(d, (s) => s === 'offer-fill', 'the one-click offer'), 'offer-fill', 'the registered rule script runs there');
      // The page tries to add itself: page events and messages to the extension reach nothing.
      const tried = await d.evaluate((id) => {
        const out = [];
        window.postMessage({ type: 'tb:site-enable', rule_id: 'snowball' }, '*');
        document.dispatchEvent(new CustomEvent('tb:site-enable', { detail: { rule_id: 'snowball' } }));
        try { chrome.runtime.sendMessage(id, { type: 'tb:site-enable', rule_id: 'snowball' }, () => {}); out.push('sent'); } catch (e) { out.push('refused'); }
        return out;
      }, ctx.extensionId());
      assert.ok(tried.length === 1, 'the page tried');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(!allowedOrigins(run).includes(SNOWBALL_ORIGIN), 'config.json does not allow the page\'s origin');
      await clickBox(d);
      const s = await waitStatus(d, (x) => x && x.startsWith('error:'), 'the host\'s refusal');
      assert.equal(s, 'error:target_denied', 'the host refuses the origin it was not told to allow');
      assert.equal(await tokenField(d), '', 'the field stays empty');
      assert.equal(run.sites.state.received.filter((r) => r.host === 'snowball-income.com').length, 0);
    } finally {
      await d.page.close();
    }
  });

  {
    it('the popup turns Snowball on (host allowlist); its replica then gets the read-only token (recorded as a use, shown in the popup), a look-alike nothing', async () => {
      const run = ctx.run();
      const ro = ctx.roToken();
      assert.ok(ro, 'needs the captured read-only token');
      const p = await run.newPage();
      try {
        await openExtensionPage(p, `${run.extensionURL}/popup/popup.html`);
        await p.waitFor(() => !!document.querySelector('[data-site="snowball"][data-enabled="false"]'), null, { what: 'the Snowball row (off)' });
        // «Включить» in Russian (Chromium's UI language here); Firefox ESR without a Russian language pack shows «Turn on».
        await p.clickText(await p.evaluate(() => chrome.i18n.getMessage('siteEnable')));
        await p.waitFor(() => !!document.querySelector('[data-site="snowball"][data-enabled="true"]'), null, { what: 'the Snowball row (on)' });
      } finally {
        await p.page.close();
      }
      assert.deepEqual(allowedOrigins(run), [SNOWBALL_ORIGIN], 'config.json allows exactly the site');
      const d = await run.newPage();
      try {
        await d.goto(SNOWBALL);
        await waitStatus(d, (s) => s === 'offer-fill', 'the one-click offer');
        await clickBox(d);
        assert.equal(await waitStatus(d, (s) => s === 'filled' || (s && s.startsWith('error')), 'the fill'), 'filled');
        const v = await tokenField(d);
        assert.ok(v === ro, 'the field holds the read-only token (the site prefers read-only), not the full-access one');
        const others = await d.evaluate(() => [...document.querySelectorAll('input')].filter((i) => i.id !== document.querySelector('label').htmlFor).map((i) => i.value));
        assert.equal(others.filter(Boolean).length, 0, 'no other field holds anything');
        let meta;
        for (let i = 0; i < 50; i++) {
          meta = (await listTokens(run.env)).find((t) => sameSecret(t, ro));
          if (meta && (meta.used_by || []).some((u) => u.origin === SNOWBALL_ORIGIN)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(meta && (meta.used_by || []).some((u) => u.origin === SNOWBALL_ORIGIN), `the fill is recorded as a use: ${JSON.stringify(meta && meta.used_by)}`);
        await d.clickText('Сохранить');
        await d.waitText('Синхронизация настроена');
        assert.ok(run.sites.state.received.filter((r) => r.host === 'snowball-income.com').at(-1).value === ro, 'the site got the read-only token');
      } finally {
        await d.page.close();
      }
      // The popup shows where the read-only token is used, and which token the site holds.
      const roId = (await listTokens(run.env)).find((t) => sameSecret(t, ro)).id;
      const q = await run.newPage();
      try {
        await openExtensionPage(q, `${run.extensionURL}/popup/popup.html`);
        const shown = await q.waitFor(([id, origin]) => {
          const u = document.querySelector(`li[data-token-id="${id}"] .usage`);
          const o = document.querySelector(`#origins li[data-origin="${origin}"]`);
          return u && o ? { used: u.dataset.usedBy.split(' '), holds: o.dataset.tokenId } : null;
        }, [roId, SNOWBALL_ORIGIN], { what: 'the usage lines in the popup' });
        assert.ok(shown.used.includes(SNOWBALL_ORIGIN), 'the token row says where it is used');
        assert.equal(shown.holds, roId, 'the site holds the read-only token');
      } finally {
        await q.page.close();
      }
      const l = await run.newPage();
      try {
        await l.goto(`https://${LOOKALIKE_SNOWBALL_HOSTS[0]}/portfolio-sync-settings`);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await l.evaluate((sel) => !!document.querySelector(sel), FILL_SEL), false, 'no tokenbridge box on the look-alike');
        assert.equal(await tokenField(l), '');
      } finally {
        await l.page.close();
      }
    });
  }
}

// ---------------------------------------------------------------- user-driven fill on a site without a rule
const TRACKER = 'https://tracker.example-invest.test/settings';
const TRACKER_ORIGIN = 'https://tracker.example-invest.test';

/**
 * What the popup sends, handed to the real background. The harness cannot click the toolbar button or a
 * context-menu item, which is what grants activeTab; the copy of the extension holds the tracker's host
 * permission instead (createRun grantHosts), everything after that is the real path.
 * Chromium: to its service worker with the popup's sender (the browser sets sender.url to the popup page).
 * Firefox: sent by the real popup page, open in a background tab of the same window (popupTab), so the
 * browser itself fills in the sender and the active tab stays the page the user acted on.
 */
async function popupSender(run, d) {
  if (run.browserName === 'chromium') {
    return (msg) => run.worker.evaluate((m) => self.__tokenbridgeBackground.handleMessage(m, { id: chrome.runtime.id, url: chrome.runtime.getURL('popup/popup.html') }), msg);
  }
  const p = await run.newPage();
  await openExtensionPage(p, `${run.extensionURL}/popup/popup.html`);
  await d.page.bringToFront(); // the page the user acted on is the active tab again
  const send = (msg) => p.evaluate((m) => browser.runtime.sendMessage(m), msg);
  send.close = () => p.page.close();
  return send;
}

export function userFillCases(ctx) {
  it('user-driven fill on a site without a rule: asks first, nothing without consent, then fills the chosen field (read-only preferred), recorded as a use; never a login password; the origin can be removed again', async () => {
    const run = ctx.run();
    const ro = ctx.roToken();
    assert.ok(ro, 'needs the captured read-only token');
    const d = await run.newPage();
    let asPopup;
    try {
      await d.goto(TRACKER);
      asPopup = await popupSender(run, d);
      await d.page.bringToFront();
      await d.page.click('#api'); // the user puts the caret into the field
      const first = await asPopup({ type: 'tb:user-fill' });
      assert.deepEqual({ ok: first.ok, ask: first.ask, origin: first.origin }, { ok: false, ask: 'origin', origin: TRACKER_ORIGIN }, 'the first fill into the origin asks');
      assert.equal(await d.evaluate(() => document.getElementById('api').value), '', 'nothing before the answer');
      assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN));
      const no = await asPopup({ type: 'tb:user-fill-answer', tab_id: null, yes: false });
      assert.equal(no.status, 'cancelled');
      assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN), '«Отмена» allows nothing');
      const yes = await asPopup({ type: 'tb:user-fill-answer', tab_id: null, yes: true });
      assert.equal(yes.ok, true, JSON.stringify(yes.error));
      assert.ok(!JSON.stringify(yes).includes(ro), 'the popup\'s reply carries no secret');
      assert.ok(allowedOrigins(run).includes(TRACKER_ORIGIN), 'config.json allows the origin now');
      assert.ok(await d.evaluate(() => document.getElementById('api').value) === ro, 'the chosen field holds the read-only token');
      assert.equal(await d.evaluate(() => document.getElementById('note').value + document.getElementById('email').value + document.getElementById('password').value), '', 'no other field');
      await d.clickText('Сохранить');
      await d.waitText('Сохранено');
      assert.ok(run.sites.state.received.filter((r) => r.host === 'tracker.example-invest.test').at(-1).value === ro, 'the tracker got it through its own form');
      const meta = (await listTokens(run.env)).find((t) => sameSecret(t, ro));
      assert.ok((meta.used_by || []).some((u) => u.origin === TRACKER_ORIGIN), 'recorded as a use');
      // A login form's password field never gets a token, even on an allowed origin.
      await d.page.click('#password');
      const pw = await asPopup({ type: 'tb:user-fill' });
      assert.equal(pw.error && pw.error.code, 'user_fill_field', JSON.stringify(pw));
      assert.equal(await d.evaluate(() => document.getElementById('password').value), '');
      // The popup's «Убрать» takes the origin back (content scripts are refused these messages: unit tests).
      const r = await asPopup({ type: 'tb:fill-origin-remove', origin: TRACKER_ORIGIN });
      assert.equal(r.ok, true, 'the popup may take the origin back');
      assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN));
    } finally {
      if (asPopup && asPopup.close) await asPopup.close();
      await d.page.close();
    }
  });

  it('user-driven fill through the popup\'s own buttons (real clicks): «Вставить в поле на этой странице» asks in the popup, «Отмена» allows nothing, the allow button adds the origin and fills the focused field', async () => {
    const run = ctx.run();
    const ro = ctx.roToken();
    assert.ok(ro, 'needs the captured read-only token');
    assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN), 'the previous case took the origin back');
    const d = await run.newPage();
    const p = await run.newPage();
    try {
      await d.goto(TRACKER);
      // The real popup page in a background tab of the same window: the tracker stays the active tab.
      await openExtensionPage(p, `${run.extensionURL}/popup/popup.html`);
      const label = (key, args = []) => p.evaluate(([k, a]) => chrome.i18n.getMessage(k, a), [key, args]);
      const [cancel, allow] = [await label('askCancel'), await label('askAllow')];
      await d.page.bringToFront();
      await d.page.click('#api'); // the user puts the caret into the field
      const clickFillHere = async () => {
        const at = await p.waitFor(() => {
          const b = document.getElementById('fill-here-btn');
          const r = b && b.getBoundingClientRect();
          return r && r.width > 0 ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : null;
        }, null, { what: 'the popup\'s «Вставить в поле на этой странице»' });
        await p.page.mouse.click(at.x, at.y);
      };
      const asked = () => p.waitFor((o) => { const a = document.getElementById('ask'); return a && !a.hidden && a.textContent.includes(o); }, TRACKER_ORIGIN, { what: 'the popup\'s question naming the origin' });
      await clickFillHere();
      await asked();
      assert.equal(await d.evaluate(() => document.getElementById('api').value), '', 'nothing before the answer');
      assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN));
      await p.clickText(cancel);
      await p.waitFor(() => document.getElementById('ask').hidden, null, { what: 'the question to close' });
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!allowedOrigins(run).includes(TRACKER_ORIGIN), '«Отмена» allows nothing');
      assert.equal(await d.evaluate(() => document.getElementById('api').value), '', 'nothing filled after «Отмена»');
      await clickFillHere();
      await asked();
      await p.clickText(allow);
      await d.waitFor(() => !!document.getElementById('api').value, null, { what: 'the chosen field to be filled' });
      assert.ok(await d.evaluate(() => document.getElementById('api').value) === ro, 'the focused field holds the read-only token');
      assert.equal(await d.evaluate(() => document.getElementById('note').value + document.getElementById('email').value + document.getElementById('password').value), '', 'no other field');
      assert.deepEqual(allowedOrigins(run).filter((o) => o === TRACKER_ORIGIN), [TRACKER_ORIGIN], 'config.json allows the origin');
      const done = await label('filledHere', ['tracker.example-invest.test']);
      await p.waitFor(([o, text]) => !!document.querySelector(`#fill-origins li[data-fill-origin="${o}"]`) && document.getElementById('notice').textContent === text,
        [TRACKER_ORIGIN, done], { what: 'the popup to say where it filled and list the allowed origin' });
      assert.ok(!(await p.evaluate(() => document.body.innerText)).includes(ro), 'the popup shows no secret');
    } finally {
      await p.evaluate((o) => (globalThis.browser || chrome).runtime.sendMessage({ type: 'tb:fill-origin-remove', origin: o }), TRACKER_ORIGIN).catch(() => {});
      await p.page.close();
      await d.page.close();
    }
  });
}
