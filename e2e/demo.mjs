#!/usr/bin/env node
// The whole tokenbridge flow in a real headless Chromium on the replica pages, narrated, with
// screenshots saved to docs/screenshots/ (or $TB_SCREENSHOTS_DIR). Started by scripts/demo.sh.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ID, sameSecret, keyringClear, keyringLookup, listTokens, ROOT } from './lib/env.mjs';
import { createRun, fillOnLogos, issueAndCapture } from './lib/flow.mjs';

const shots = process.env.TB_SCREENSHOTS_DIR || join(ROOT, 'docs', 'screenshots');
mkdirSync(shots, { recursive: true });
const say = (s) => console.log(`• ${s}`);

const run = await createRun('chromium');
let key = null;
let code = 0;
try {
  say(`replica bank and Logos pages on https://www.tbank.ru and https://logos-up.com (mapped to 127.0.0.1, throwaway CA)`);
  say(`host: bin/tokenbridge registered for this Chromium profile; fake T-Invest API at ${new URL(run.fake.prodURL).origin}`);
  const d = await run.newPage();
  say('bank: Настройки → «Создать токен» → «Полный доступ» → «Выпустить токен» → «Скопировать токен»');
  const cap = await issueAndCapture(run, d, { screenshot: join(shots, 'capture-confirmation.png') });
  if (cap.status !== 'stored') throw new Error(`the extension did not store the token (status ${cap.status})`);
  say(`extension: token captured and stored in ${Math.round(cap.timings.capture)} ms; checked by the host: ${cap.validation}`);
  const meta = (await listTokens(run.env)).find((t) => sameSecret(t, cap.token));
  key = `tinvest/${meta.id}`;
  const inKeyring = (await keyringLookup(key)) === cap.token;
  say(`keyring: item service=tokenbridge username=${key} ${inKeyring ? 'holds the token' : 'MISSING'}; index shows only ${meta.masked}`);
  await d.page.close();

  const l = await run.newPage();
  say('Logos: Профиль → «Подключение портфеля» → «Тинькофф»');
  const f = await fillOnLogos(run, l, { screenshot: join(shots, 'logos-filled.png') });
  if (f.value !== cap.token) throw new Error(`the Logos field was not filled (status ${f.fillStatus})`);
  say(`extension: field filled in ${Math.round(f.timings.fill)} ms; «Подключить портфель» → «✓ Портфель подключен»`);
  let used = [];
  for (let i = 0; i < 50 && !used.length; i++) {
    used = (await listTokens(run.env)).find((t) => t.id === meta.id).used_by || [];
    if (!used.length) await new Promise((r) => setTimeout(r, 100));
  }
  say(`host: token use recorded for ${used.map((u) => u.origin).join(', ') || '(nothing: check the fill box status)'}`);
  await l.page.close();

  const p = await run.newPage();
  await p.page.setViewportSize({ width: 440, height: 560 });
  await p.goto(`chrome-extension://${CHROMIUM_ID}/popup/popup.html`);
  await p.waitFor((id) => !!document.querySelector(`[data-token-id="${id}"]`), meta.id, { what: 'the popup to list the token' });
  await new Promise((r) => setTimeout(r, 300));
  await p.screenshot(join(shots, 'popup.png'));
  say('popup (chrome-extension://…/popup/popup.html) lists the token with its checked access level');
  say(`screenshots: ${shots}/capture-confirmation.png, logos-filled.png, popup.png`);
} catch (e) {
  console.error(`demo failed: ${e.message}`);
  code = 1;
} finally {
  await run.close();
  if (key) await keyringClear([key]);
}
process.exit(code);
