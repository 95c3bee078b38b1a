// Harness self-test: the replica pages, certificates and host mapping behave as pages.md says,
// in real Chromium and Firefox, without the extension. If these fail, the full-flow tests below
// them cannot be trusted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { driver, launchChromium, launchFirefox } from './lib/browsers.mjs';
import { makeCerts } from './lib/certs.mjs';
import { importCA } from './lib/firefox-profile.mjs';
import { ALL_HOSTS, startSites } from './lib/sites.mjs';

const TOKEN_RE = /^t\.[A-Za-z0-9_-]{86}$/;

async function brokerFlow(d, sites, host) {
  await d.goto(`https://${host}/invest/settings/`);
  await d.waitText(host === 'www.tinkoff.ru' ? 'Токены Tinkoff Invest API' : 'Токены T-Invest API');
  await d.clickText('Создать токен');
  await d.waitText('Управление токенами Invest API');
  await d.waitText('Создание токена');
  await d.waitText('Все счета ▾');
  await d.clickText('Полный доступ');
  await d.clickText('Выпустить токен');
  await d.waitText('Токен выпущен');
  const issued = sites.lastIssued();
  assert.equal(issued.host, host);
  assert.equal(issued.access, 'full_access');
  assert.match(issued.token, TOKEN_RE);
  const pageText = await d.evaluate(() => document.documentElement.outerHTML);
  assert.ok(!pageText.includes(issued.token), 'the replica must not show the token as text');
  assert.ok(!(await d.evaluate(() => location.href)).includes('t.'), 'no token in the URL');
  for (const t of ['Внимание! Зная этот токен', 'Сохраните токен в надежном месте', 'Скопировать токен', 'Управление токенами']) {
    await d.waitText(t);
  }
  return issued;
}

async function logosFlow(d, host, sites) {
  await d.goto(`https://${host}/profile/`);
  for (const t of ['LOGOS FREEDOM', 'Главная / Профиль', 'Телефон:', 'Email:', 'Риск-профиль', 'Агрессивный профиль', 'Подключение портфеля']) {
    await d.waitText(t);
  }
  await d.clickText('Тинькофф');
  await d.waitText('Подключить портфель');
  // A plain `.value =` with no input event is ignored by the controlled input.
  await d.evaluate(() => { document.querySelector('input[placeholder="Токен"]').value = 'ignored'; });
  await d.clickText('Подключить портфель');
  await d.waitText('Введите токен');
  // Typing (real key events) is accepted.
  await d.evaluate(() => document.querySelector('input[placeholder="Токен"]').focus());
  await d.evaluate(() => { const i = document.querySelector('input[placeholder="Токен"]'); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, ''); });
  await d.page.keyboard.type('typed-value');
  await d.clickText('Подключить портфель');
  await d.waitText('✓ Портфель подключен');
  const got = sites.state.received.at(-1);
  assert.deepEqual({ host: got.host, broker: got.broker, value: got.value }, { host, broker: 'tinkoff', value: 'typed-value' });
}

for (const browserName of ['chromium', 'firefox']) {
  describe(`replica pages in ${browserName}`, () => {
    let certs; let sites; let tmp; let close; let newPage;
    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), `tb-pages-${browserName}-`));
      certs = makeCerts(ALL_HOSTS, mkdtempSync(join(tmp, 'pki-')));
      sites = await startSites({ certs });
      if (browserName === 'chromium') {
        const ctx = await launchChromium({ userDataDir: join(tmp, 'profile'), sites, certs, env: process.env });
        await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'https://www.tbank.ru' });
        newPage = async () => driver(await ctx.newPage(), 'chromium');
        close = () => ctx.close();
      } else {
        const profileDir = join(tmp, 'profile');
        importCA(profileDir, certs.caPath);
        const { browser } = await launchFirefox({ profileDir, sites, env: process.env });
        newPage = async () => driver(await browser.newPage(), 'firefox');
        close = () => browser.close();
      }
    });
    after(async () => {
      if (close) await close();
      if (sites) await sites.close();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('broker SPA issues a token on www.tbank.ru and copies it to the clipboard', async () => {
      const d = await newPage();
      const issued = await brokerFlow(d, sites, 'www.tbank.ru');
      await d.clickText('Скопировать токен');
      await d.waitText('Токен скопирован');
      if (browserName === 'chromium') {
        assert.equal(await d.evaluate(() => navigator.clipboard.readText()), issued.token);
      }
      await d.page.close();
    });

    it('broker SPA on www.tinkoff.ru uses the old block title', async () => {
      const d = await newPage();
      await brokerFlow(d, sites, 'www.tinkoff.ru');
      await d.page.close();
    });

    it('Logos profile: controlled input, connect, decoy fields', async () => {
      const d = await newPage();
      await logosFlow(d, 'logos-up.com', sites);
      await d.page.close();
    });

    it('look-alike origin serves the same markup', async () => {
      const d = await newPage();
      await logosFlow(d, 'logos-up.com.evil.test', sites);
      await d.page.close();
    });
  });
}
