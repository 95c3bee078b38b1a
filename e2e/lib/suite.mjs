// The full user flow as a node:test suite, run once per browser (chromium.test.mjs, firefox.test.mjs).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, sameSecret, keyringClear, keyringLookup, leakyLines, listTokens, scanTree } from './env.mjs';
import { openExtensionPage } from './browsers.mjs';
import { boxText, closeBrowser, createRun, FILL_SEL, fillOnLogos, issueAndCapture, issueInPage, readLogs, STATUS_SEL } from './flow.mjs';
import { LOOKALIKE_BROKER_HOSTS, LOOKALIKE_HOSTS, newToken } from './sites.mjs';
import { logosDialogCases, snowballCases, userFillCases } from './fill-cases.mjs';

export function flowSuite(browserName, { brokerHost, logosHost }) {
  describe(`full flow in ${browserName}: ${brokerHost} → keyring → ${logosHost}`, () => {
    let run;
    let token;
    let tokenMeta;
    let shots;
    const startedAt = Date.now();
    const extra = [];     // other secrets this run created (scanned for leaks too)
    const extraKeys = []; // and their keyring keys
    before(async () => {
      run = await createRun(browserName, { keep: !!process.env.TB_E2E_KEEP, grantSites: true, grantHosts: ['https://tracker.example-invest.test/*'] });
      // Kept after the run (git-ignored): e2e/.run/screenshots/ (the demo writes docs/screenshots/).
      shots = process.env.TB_SCREENSHOTS_DIR || join(ROOT, 'e2e', '.run', 'screenshots');
      mkdirSync(shots, { recursive: true });
    });
    after(async () => {
      if (run) {
        const keys = [...(tokenMeta ? [`tinvest/${tokenMeta.id}`] : []), ...extraKeys];
        await run.close();
        await keyringClear(keys);
      }
    });

    it('captures the issued token into the real keyring and validates it', async () => {
      const d = await run.newPage();
      const cap = await issueAndCapture(run, d, {
        host: brokerHost,
        screenshot: browserName === 'chromium' ? join(shots, 'capture-confirmation.png') : null,
      });
      token = cap.token;
      assert.equal(cap.status, 'stored', 'the capture confirmation says the token was stored');
      assert.equal(cap.validation, 'full_access', 'the fake T-Invest API classified the token as full access');
      const pageText = await d.evaluate(() => document.body.innerText);
      assert.ok(!pageText.includes(token), 'the page text never shows the token');
      if (browserName === 'chromium') {
        const shown = await boxText(run, d, 'capture');
        assert.ok(shown, 'the capture confirmation box has text');
        assert.match(shown, /Токен сохранён/, 'the confirmation says the token was saved');
        assert.match(shown, /Проверен: полный доступ/, 'the confirmation shows the validated kind');
        assert.ok(!shown.includes(token), 'the confirmation never shows the secret');
      }
      const tokens = await listTokens(run.env);
      const mine = tokens.filter((t) => sameSecret(t, token));
      assert.equal(mine.length, 1, `exactly one stored token has this fingerprint (list: ${JSON.stringify(tokens.map((t) => t.fingerprint))})`);
      tokenMeta = mine[0];
      assert.equal(tokenMeta.provider, 'tinvest');
      assert.equal(tokenMeta.source_origin, `https://${brokerHost}`);
      assert.equal(tokenMeta.validation && tokenMeta.validation.result, 'full_access');
      assert.ok(!JSON.stringify(tokens).includes(token), 'list --json carries no secret');
      assert.ok((await keyringLookup(`tinvest/${tokenMeta.id}`)) === token, 'the keyring holds the exact token');
      const calls = await run.fake.calls();
      assert.ok(calls.some((c) => c.rpc === 'UsersService/GetAccounts' && c.token_fp), 'the host asked the fake T-Invest API');
      assert.deepEqual(await run.fake.violations(), [], 'the host made only read-only T-Invest calls');
      await d.page.close();
    });

    it('stores nothing a hostile bank-page script forges (candidates, copy events, script clicks)', async () => {
      const forged = newToken();
      run.sites.state.forgeToken = forged;
      run.sites.setMode(brokerHost, 'forge');
      const d = await run.newPage();
      try {
        await d.goto(`https://${brokerHost}/invest/settings/`);
        await d.waitText('Токен выпущен');
        // A real (trusted) click on the page, but not on «Скопировать токен», while the script forges.
        await d.clickText('Токен выпущен');
        await d.waitFor(() => window.__tbForgeDone === true, null, { timeout: 15000, what: 'the forge script to finish' });
        await new Promise((r) => setTimeout(r, 800));
        const status = await d.evaluate((sel) => {
          const el = document.querySelector(sel);
          return el ? el.getAttribute('data-tokenbridge-status') : null;
        }, STATUS_SEL);
        assert.notEqual(status, 'stored', 'no capture confirmation for a forged token');
        assert.notEqual(status, 'saving');
        const tokens = await listTokens(run.env);
        assert.equal(tokens.filter((t) => sameSecret(t, forged)).length, 0, 'tokenbridge list --json holds no forged token');
        assert.equal(tokens.length, 1, 'only the really issued token is stored');
      } finally {
        run.sites.setMode(brokerHost, null);
        await d.page.close();
      }
    });

    it('stores nothing from a look-alike bank origin showing «Токен выпущен»', async () => {
      const host = LOOKALIKE_BROKER_HOSTS[0];
      const d = await run.newPage();
      try {
        await d.goto(`https://${host}/invest/settings/`);
        await d.clickText('Создать токен');
        await d.waitText('Создание токена');
        await d.clickText('Полный доступ');
        await d.clickText('Выпустить токен');
        await d.waitText('Токен выпущен');
        const issued = run.sites.lastIssued();
        assert.equal(issued.host, host, 'the look-alike issued a token');
        await d.clickText('Скопировать токен');
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await d.evaluate((sel) => !!document.querySelector(sel), STATUS_SEL), false, 'no tokenbridge box on the look-alike');
        const tokens = await listTokens(run.env);
        assert.equal(tokens.filter((t) => sameSecret(t, issued.token)).length, 0, 'tokenbridge list --json holds no look-alike token');
      } finally {
        await d.page.close();
      }
    });

    it('fills nothing inside a cross-origin Logos iframe', async () => {
      assert.ok(token, 'needs the captured token');
      run.sites.setMode(logosHost, 'frame');
      const d = await run.newPage();
      try {
        await d.goto(`https://${logosHost}/profile/`);
        await d.waitText('Подключение портфеля');
        const frame = await d.clickTextInFrame('#embedded', 'embedded=1', 'Тинькофф');
        const fieldShown = async () => frame.evaluate(() => [...document.querySelectorAll('input')].some((i) => i.placeholder === 'Токен'));
        for (let i = 0; i < 50 && !(await fieldShown()); i++) await new Promise((r) => setTimeout(r, 50));
        assert.ok(await fieldShown(), 'the frame shows its own token field (the click reached it)');
        await new Promise((r) => setTimeout(r, 1500));
        const inFrame = await frame.evaluate(() => ({
          values: [...document.querySelectorAll('input')].map((i) => i.value).filter(Boolean).length,
          box: !!document.querySelector('[data-tokenbridge]'),
        }));
        assert.equal(inFrame.values, 0, 'no field in the iframe was filled');
        assert.equal(inFrame.box, false, 'no tokenbridge box in the iframe');
        const top = await d.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value).filter(Boolean).length);
        assert.equal(top, 0, 'nothing filled in the top page either (no user action there)');
      } finally {
        run.sites.setMode(logosHost, null);
        await d.page.close();
      }
    });

    it('gives nothing to look-alike origins', async () => {
      assert.ok(token, 'needs the captured token');
      for (const host of LOOKALIKE_HOSTS) {
        const d = await run.newPage();
        const res = await fillOnLogos(run, d, { host, connect: false, timeout: 2500 });
        assert.ok(res.value === null, `${host}: the token field stays empty`);
        assert.equal(await d.evaluate((sel) => !!document.querySelector(sel), FILL_SEL), false, `${host}: no tokenbridge box`);
        await d.clickText('Подключить портфель');
        await d.waitText('Введите токен');
        const html = await d.evaluate(() => document.documentElement.outerHTML);
        assert.ok(!html.includes(token), `${host}: the token is nowhere in the page`);
        await d.page.close();
      }
      const got = run.sites.state.received.filter((r) => LOOKALIKE_HOSTS.includes(r.host));
      assert.ok(got.every((r) => r.value !== token), 'no look-alike server received the token');
    });

    it('never fills when «Другой брокер» is chosen', async () => {
      const d = await run.newPage();
      await d.goto(`https://${logosHost}/profile/`);
      await d.clickText('Другой брокер');
      await d.waitText('Укажите ключ доступа вашего брокера');
      await new Promise((r) => setTimeout(r, 1500));
      const v = await d.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
      assert.equal(v.filter(Boolean).length, 0, 'no field holds anything');
      await d.page.close();
    });

    it('fills the Logos token field, connects, and the host records the use', async () => {
      assert.ok(token, 'needs the captured token');
      const d = await run.newPage();
      const res = await fillOnLogos(run, d, {
        host: logosHost,
        screenshot: browserName === 'chromium' ? join(shots, 'logos-filled.png') : null,
      });
      assert.ok(res.value === token, `the field holds the captured token (it holds ${res.value ? `${res.value.length} chars` : 'nothing'})`);
      assert.equal(res.fillStatus, 'filled');
      assert.ok(res.connected, '«✓ Портфель подключен» shown');
      const got = run.sites.state.received.filter((r) => r.host === logosHost);
      assert.ok(got.length > 0 && got.at(-1).value === token, 'the Logos server got the token through the page\'s own state (React-like input)');
      const decoys = await d.evaluate(() => [...document.querySelectorAll('input')].filter((i) => i.placeholder !== 'Токен').map((i) => i.value));
      assert.equal(decoys.filter(Boolean).length, 0, 'decoy fields outside the block stay empty');
      const origin = `https://${logosHost}`;
      let meta;
      for (let i = 0; i < 50; i++) {
        meta = (await listTokens(run.env)).find((t) => t.id === tokenMeta.id);
        if (meta && (meta.used_by || []).some((u) => u.origin === origin)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok((meta.used_by || []).some((u) => u.origin === origin), `used_by lists ${origin}: ${JSON.stringify(meta.used_by)}`);
      await d.page.close();
    });

    const cases = { browserName, logosHost, run: () => run, token: () => token, tokenMeta: () => tokenMeta, roToken: () => roToken,
      extensionId: () => (browserName === 'chromium' ? run.extensionURL.slice('chrome-extension://'.length) : 'tokenbridge@tokenbridge.dev') };
    let roToken;
    logosDialogCases(cases);

    it('captures a newer read-only token shown as text, and never fills it into Logos', async () => {
      assert.ok(token, 'needs the captured token');
      run.sites.setMode(brokerHost, 'show');
      const d = await run.newPage();
      const cap = await issueAndCapture(run, d, { host: brokerHost, access: 'Только для чтения', copy: false });
      run.sites.setMode(brokerHost, null);
      extra.push(cap.token);
      roToken = cap.token;
      assert.equal(cap.access, 'readonly');
      assert.equal(cap.status, 'stored', 'captured from the page text without a copy click');
      assert.equal(cap.validation, 'readonly', 'the fake T-Invest API classified it as read-only');
      const ro = (await listTokens(run.env)).find((t) => sameSecret(t, cap.token));
      assert.ok(ro, 'the read-only token is listed');
      extraKeys.push(`tinvest/${ro.id}`);
      assert.notEqual(ro.id, tokenMeta.id);
      await d.page.close();
      const l = await run.newPage();
      const res = await fillOnLogos(run, l, { host: logosHost, connect: false });
      assert.ok(res.value === token, 'Logos still gets the full-access token, not the newer read-only one');
      await l.page.close();
    });

    snowballCases(cases);
    userFillCases(cases);

    const attacks = [
      ['forge extension messages and events', 'attack'],
      ['select «Тинькофф» themselves with untrusted clicks', 'attack-click'],
    ];
    for (const [what, mode] of attacks) it(`gives nothing to pages that ${what}`, async () => {
      assert.ok(token, 'needs the captured token');
      run.sites.state.attackTokenId = tokenMeta.id;
      for (const host of [logosHost, LOOKALIKE_HOSTS[0]]) {
        run.sites.setMode(host, mode);
        const d = await run.newPage();
        await d.goto(`https://${host}/profile/`);
        await d.waitFor(() => window.__tbAttackDone === true, null, { timeout: 10000, what: 'the attack script to finish' });
        await new Promise((r) => setTimeout(r, 500));
        await d.evaluate(() => window.__tbAttackReport());
        await new Promise((r) => setTimeout(r, 300));
        const values = await d.evaluate(() => [...document.querySelectorAll('input')].map((i) => i.value));
        assert.equal(values.filter(Boolean).length, 0, `${host}: no field was filled`);
        const reports = run.sites.state.reports.filter((r) => r.host === host);
        assert.ok(reports.length > 0, `${host}: the attack script reported`);
        const seen = reports.flatMap((r) => r.items);
        assert.deepEqual(seen.map((x) => x.where), [], `${host}: the page observed nothing token-shaped`);
        run.sites.setMode(host, null);
        await d.page.close();
      }
    });

    // Issue 9: the shown-once token is never dropped. These run after the Logos tests (more full-access
    // tokens would make Logos offer a choice instead of filling).
    it('stores all five tokens issued one after another in one tab of the bank SPA (no reload)', async () => {
      const d = await run.newPage();
      await d.goto(`https://${brokerHost}/invest/settings/`);
      const got = [];
      for (let i = 0; i < 5; i++) {
        const cap = await issueInPage(run, d, {});
        extra.push(cap.token);
        assert.equal(cap.status, 'stored', `token ${i + 1}: the box says stored`);
        assert.ok(cap.stored, `token ${i + 1} is in tokenbridge list --json`);
        extraKeys.push(`tinvest/${cap.stored.id}`);
        assert.equal(cap.validation, 'full_access', `token ${i + 1} validated`);
        assert.ok((await keyringLookup(`tinvest/${cap.stored.id}`)) === cap.token, `the keyring holds token ${i + 1}`);
        got.push(cap.stored.id);
      }
      assert.equal(new Set(got).size, 5, 'five different entries');
      await d.page.close();
    });

    it('captures after the bank asks to confirm, for an SMS code and to log in again; an emoji/ZWJ account name is kept', async () => {
      run.sites.state.brokerSteps = ['confirm', 'sms', 'relogin'];
      const d = await run.newPage();
      try {
        await d.goto(`https://${brokerHost}/invest/settings/`);
        const cap = await issueInPage(run, d, { steps: run.sites.state.brokerSteps, account: 'Семья 👨\u200d👩\u200d👧\u200f' });
        extra.push(cap.token);
        assert.equal(cap.status, 'stored', 'stored after the extra steps');
        assert.ok(cap.stored, 'listed');
        extraKeys.push(`tinvest/${cap.stored.id}`);
        assert.equal(cap.stored.scope.account_name, 'Семья 👨\u200d👩\u200d👧', 'the account name keeps the ZWJ sequence, the RLM is dropped');
        assert.equal(cap.stored.label, 'T-Invest · полный доступ · счёт «Семья 👨\u200d👩\u200d👧»');
        assert.equal(cap.validation, 'full_access');
      } finally {
        run.sites.state.brokerSteps = [];
        await d.page.close();
      }
    });

    // The re-login as a full page load: «Выпустить токен» → «Подтвердить» → the bank's login page (its own
    // load, no tokenbridge script) → back to /invest/settings/…, which shows «Токен выпущен» at once. The
    // user's clicks were in the previous page load of this tab: the background remembered them.
    for (const mode of ['show', 'copy']) it(`captures after a re-login that fully reloads the page (token ${mode === 'show' ? 'shown, no action on the returned page' : 'copied on the returned page'})`, async () => {
      run.sites.state.brokerSteps = ['confirm', 'reload'];
      if (mode === 'show') run.sites.setMode(brokerHost, 'show');
      const d = await run.newPage();
      try {
        await d.goto(`https://${brokerHost}/invest/settings/`);
        const before = run.sites.state.issued.length;
        const logins = () => run.sites.state.requests.filter((r) => r.host === brokerHost && r.path === '/auth/login/').length;
        const loginsBefore = logins();
        await d.evaluate(() => { window.__tbFirstLoad = true; });
        await d.clickText('Создать токен');
        await d.waitText('Создание токена');
        await d.clickText('Полный доступ');
        await d.clickText('Выпустить токен');
        await d.waitText('Подтвердите выпуск токена');
        await d.clickText('Подтвердить');
        await d.waitFor(() => location.pathname === '/auth/login/', null, { what: 'the bank\'s login page (a full navigation)' });
        await d.typeInto('Пароль', 'correct horse');
        await d.clickText('Войти');
        await d.waitText('Токен выпущен');
        assert.equal(logins(), loginsBefore + 1, 'the login page was loaded from the server');
        assert.equal(await d.evaluate(() => [location.pathname, window.__tbFirstLoad === true].join(' ')), '/invest/settings/tokens/ false', 'a new page load shows «Токен выпущен»');
        await d.waitFor((n) => n, run.sites.state.issued.length > before, { what: 'the replica bank to issue a token' });
        const issued = run.sites.lastIssued();
        extra.push(issued.token);
        if (mode === 'copy') await d.clickText('Скопировать токен'); // while «Токен выпущен» is shown: not a counted action
        const status = await d.waitFor((sel) => {
          const el = document.querySelector(sel);
          const v = el && el.getAttribute('data-tokenbridge-status');
          return v && v !== 'saving' ? v : null;
        }, STATUS_SEL, { timeout: 15000, what: 'the capture box' });
        assert.equal(status, 'stored', 'the shown-once token is stored, not refused');
        const stored = (await listTokens(run.env)).find((t) => sameSecret(t, issued.token));
        assert.ok(stored, 'listed in tokenbridge list --json');
        extraKeys.push(`tinvest/${stored.id}`);
        assert.equal(stored.source_origin, `https://${brokerHost}`);
        assert.ok((await keyringLookup(`tinvest/${stored.id}`)) === issued.token, 'the keyring holds the exact token');
      } finally {
        run.sites.state.brokerSteps = [];
        run.sites.setMode(brokerHost, null);
        await d.page.close();
      }
    });

    it('stores nothing from a page that shows «Токен выпущен» and a token without any user action', async () => {
      const forged = newToken();
      run.sites.state.forgeToken = forged;
      run.sites.setMode(brokerHost, 'forge-show');
      const d = await run.newPage();
      try {
        await d.goto(`https://${brokerHost}/invest/settings/`);
        const status = await d.waitFor((sel) => {
          const el = document.querySelector(sel);
          return el && el.getAttribute('data-tokenbridge-status');
        }, STATUS_SEL, { timeout: 10000, what: 'the capture box' });
        assert.equal(status, 'error:no_user_action', 'the box says nothing was stored and why');
        if (browserName === 'chromium') assert.match(await boxText(run, d, 'capture'), /НЕ сохранён[\s\S]*не было ваших действий/);
        // The user, fooled, really clicks the forged «Скопировать токен» afterwards: still nothing.
        await d.clickText('Скопировать токен');
        await d.waitFor(() => window.__tbForgeDone === true, null, { timeout: 15000, what: 'the forge script to finish' });
        await new Promise((r) => setTimeout(r, 800));
        const tokens = await listTokens(run.env);
        assert.equal(tokens.filter((t) => sameSecret(t, forged)).length, 0, 'tokenbridge list --json holds no forged token');
      } finally {
        run.sites.setMode(brokerHost, null);
        await d.page.close();
      }
    });

    // The popup in a tab (Firefox: moz-extension://<pinned UUID>/…, see openExtensionPage). Chromium's UI is Russian
    // here (chromium-l10n); Firefox ESR without a Russian language pack shows the English texts of the same keys.
    it('shows the token and its validated kind in the popup', async () => {
      const d = await run.newPage();
      if (browserName === 'chromium') await d.page.setViewportSize({ width: 440, height: 560 });
      else await d.page.setViewport({ width: 440, height: 560 });
      await openExtensionPage(d, `${run.extensionURL}/popup/popup.html`);
      await d.waitFor((id) => document.body && document.body.innerText.includes('T-Invest') && !!document.querySelector(`[data-token-id="${id}"]`) , tokenMeta.id, { timeout: 10000, what: 'the popup to list the token' });
      const text = await d.evaluate(() => document.body.innerText);
      const ui = await d.evaluate(() => chrome.i18n.getUILanguage());
      const ru = browserName === 'chromium' || ui.startsWith('ru');
      assert.equal(await d.evaluate(() => document.documentElement.lang), ru ? 'ru' : 'en',
        browserName === 'chromium' ? 'the popup is in Russian (Chromium needs ru.pak: apt-get install chromium-l10n)' : `the popup speaks the browser's UI language ${ui}`);
      // The validation badge (from the host's check), not the label text chosen at capture time.
      const badge = await d.evaluate((id) => {
        const b = document.querySelector(`li[data-token-id="${id}"] .badge`);
        return b ? { cls: b.className, text: b.textContent } : null;
      }, tokenMeta.id);
      assert.ok(badge, 'the token row has a validation badge');
      assert.match(badge.cls, /\bbadge full_access\b/, 'the badge shows the validated kind full_access');
      assert.equal(badge.text, ru ? 'действует' : 'valid', 'the badge text says the check passed');
      assert.ok(text.includes(tokenMeta.masked), 'the popup shows the masked form');
      // The run points the host at the local fake API (TOKENBRIDGE_TINVEST_URL): an active override, shown.
      const warn = await d.evaluate(() => { const w = document.getElementById('warnings'); return w && !w.hidden ? w.textContent : ''; });
      assert.match(warn, ru ? /Внимание: действует настройка TOKENBRIDGE_TINVEST_URL = http:\/\/127\.0\.0\.1:\d+/ : /Warning: the setting TOKENBRIDGE_TINVEST_URL = http:\/\/127\.0\.0\.1:\d+\/\S* is active/, 'the popup warns about the API override');
      assert.ok(!text.includes(token), 'the popup never shows the secret');
      if (browserName === 'chromium') await d.screenshot(join(shots, 'popup.png'));
      await d.page.close();
    });

    // Chromium copies through the offscreen document, which now confirms the write; the clipboard is read back
    // from the popup page itself (the extension holds clipboardRead).
    if (browserName === 'chromium') it('copies the token from the popup through the offscreen document, confirmed', async () => {
      const d = await run.newPage();
      await openExtensionPage(d, `${run.extensionURL}/popup/popup.html`);
      await d.waitFor((id) => !!document.querySelector(`li[data-token-id="${id}"] .actions button`), tokenMeta.id, { timeout: 10000, what: 'the token row' });
      await d.evaluate((id) => [...document.querySelectorAll(`li[data-token-id="${id}"] .actions button`)].find((b) => b.textContent === 'Копировать').click(), tokenMeta.id);
      await d.waitFor(() => { const n = document.getElementById('notice'); return n && !n.hidden && n.textContent.length > 0; }, null, { timeout: 10000, what: 'the copy notice' });
      const said = await d.evaluate(() => document.getElementById('notice').textContent);
      assert.match(said, /^Скопировано\. Буфер обмена очистится через 30 с\.$/, `the popup confirms the copy (said: ${said})`);
      assert.equal(await d.evaluate(() => navigator.clipboard.readText()), token, 'the clipboard holds the token');
      await d.page.close();
    });

    if (browserName === 'chromium') {
      it('saved the three screenshots as non-empty PNGs', () => {
        for (const name of ['capture-confirmation.png', 'logos-filled.png', 'popup.png']) {
          const p = join(shots, name);
          const st = statSync(p, { throwIfNoEntry: false });
          assert.ok(st && st.size > 1000, `${p} exists and is not empty`);
          assert.ok(readFileSync(p).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${p} is a PNG`);
          assert.ok(st.mtimeMs >= startedAt, `${p} was written by this run`);
        }
      });
    }

    it('leaves no secret in host logs, the browser profile or console output', async () => {
      assert.ok(token, 'needs the captured token');
      // Prove the console collectors work before trusting an empty result.
      const probe = await run.newPage();
      await probe.goto(`https://${logosHost}/profile/`);
      await probe.evaluate(() => console.log('tb-e2e console probe (page)'));
      if (run.worker) await run.worker.evaluate(() => console.log('tb-e2e console probe (worker)'));
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(run.console.some((l) => l.includes('tb-e2e console probe (page)')), 'page console output is collected');
      if (run.worker) assert.ok(run.console.some((l) => l.includes('tb-e2e console probe (worker)')), 'service worker console output is collected');
      await closeBrowser(run);
      const logs = readLogs(run.home);
      assert.ok(logs.length > 0, `the host wrote a log under ${run.home}`);
      for (const l of logs) assert.deepEqual(leakyLines(l.text.split('\n'), [token, ...extra]), [], `log ${l.file} holds no token`);
      const hits = scanTree(run.profileDir, [token, ...extra]);
      assert.deepEqual(hits, [], 'the browser profile holds no form of the token');
      const homeHits = scanTree(run.home, [token, ...extra]);
      assert.deepEqual(homeHits, [], 'TOKENBRIDGE_HOME holds no form of the token');
      assert.deepEqual(leakyLines(run.console, [token, ...extra]), [], 'console output holds no token');
    });
  });
}
