// One end-to-end run: replica sites, fake T-Invest, the real host registered for a real browser
// with a private TOKENBRIDGE_HOME, and the steps of the user's flow with timings.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driver, launchChromium, launchFirefox } from './browsers.mjs';
import { makeCerts } from './certs.mjs';
import { EXTENSION_DIR, PINNED_CHROMIUM_ID, ROOT, chromiumUnpackedID, ensureBinaries, listTokens, requireKeyring, sameSecret, startTinvestFake, tbOK } from './env.mjs';
import { importCA } from './firefox-profile.mjs';
import { ALL_HOSTS, startSites } from './sites.mjs';

export const STATUS_SEL = '[data-tokenbridge="capture"]';
export const FILL_SEL = '[data-tokenbridge="fill"]';

/**
 * createRun('chromium' | 'firefox', {extension = true}) -> run.
 * run.newPage() -> driver, run.console (collected lines), run.env (host env), run.close().
 */
export async function createRun(browserName, { extension = true, keep = false, grantSites = false, grantHosts = [] } = {}) {
  ensureBinaries();
  await requireKeyring();
  const tmp = mkdtempSync(join(tmpdir(), `tb-e2e-${browserName}-`));
  const run = { browserName, tmp, console: [], closers: [] };
  // grantSites: the extension as the browser holds it after the user said yes to its prompt for the
  // optional sites (neither browser lets automation answer that prompt): a copy whose manifest lists
  // optional_host_permissions as host_permissions, granted at install. grantHosts: origins the test treats as
  // the tab the user acted on (activeTab is granted only by a click on the toolbar or a context-menu item,
  // which automation cannot make). Nothing else differs.
  const extDir = extension && grantSites ? grantedCopy(EXTENSION_DIR, join(tmp, 'extension'), grantHosts) : EXTENSION_DIR;
  const CHROMIUM_ID = chromiumUnpackedID(extDir);
  try {
    run.certs = makeCerts(ALL_HOSTS, mkdtempSync(join(tmp, 'pki-')));
    run.fake = await startTinvestFake();
    run.closers.push(() => run.fake.stop());
    run.sites = await startSites({
      certs: run.certs,
      // Every token the replica bank issues is known to the fake T-Invest API with the chosen access.
      onIssue: ({ token, access }) => run.fake.addTokens({ [token]: { access: access === 'readonly' ? 'readonly' : 'full' } }),
    });
    run.closers.push(() => run.sites.close());
    run.home = join(tmp, 'tokenbridge-home');
    mkdirSync(run.home, { recursive: true, mode: 0o700 });
    run.env = {
      ...process.env,
      TOKENBRIDGE_HOME: run.home,
      TOKENBRIDGE_TINVEST_URL: run.fake.prodURL,
      TOKENBRIDGE_TINVEST_SANDBOX_URL: run.fake.sandboxURL,
    };
    if (browserName === 'chromium') {
      run.profileDir = join(tmp, 'chromium-profile');
      const nmh = join(run.profileDir, 'NativeMessagingHosts');
      mkdirSync(nmh, { recursive: true });
      // A store build has no pinned key: allow the ID Chromium gives it, as a user would.
      const allow = CHROMIUM_ID === PINNED_CHROMIUM_ID ? [] : ['--extension-id', CHROMIUM_ID];
      await tbOK(['install', '--browser', 'chromium', '--dir', nmh, ...allow], run.env);
      run.context = await launchChromium({
        userDataDir: run.profileDir, extensionDir: extension ? extDir : null,
        sites: run.sites, certs: run.certs, env: run.env,
      });
      run.closers.unshift(() => run.context.close());
      run.context.on('console', (m) => run.console.push(`[page ${m.type()}] ${m.text()}`));
      run.context.on('weberror', (e) => run.console.push(`[page error] ${e.error().message}`));
      const watchWorker = (w) => {
        w.on('console', (m) => run.console.push(`[worker ${m.type()}] ${m.text()}`));
      };
      run.context.serviceWorkers().forEach(watchWorker);
      run.context.on('serviceworker', watchWorker);
      if (extension) {
        run.worker = run.context.serviceWorkers().find((w) => w.url().includes(CHROMIUM_ID)) ||
          await run.context.waitForEvent('serviceworker', { timeout: 15000, predicate: (w) => w.url().includes(CHROMIUM_ID) });
        run.extensionURL = `chrome-extension://${CHROMIUM_ID}`;
      }
      run.newPage = async () => {
        const p = await run.context.newPage();
        return driver(p, 'chromium');
      };
    } else {
      run.homeDir = join(tmp, 'home');
      const nmh = join(run.homeDir, '.mozilla', 'native-messaging-hosts');
      mkdirSync(nmh, { recursive: true });
      run.env.HOME = run.homeDir;
      run.env.XDG_CONFIG_HOME = join(run.homeDir, '.config');
      await tbOK(['install', '--browser', 'firefox', '--dir', nmh], run.env);
      run.profileDir = join(tmp, 'firefox-profile');
      importCA(run.profileDir, run.certs.caPath);
      const { browser, extensionId, extensionURL } = await launchFirefox({
        profileDir: run.profileDir, sites: run.sites, env: run.env, extensionDir: extension ? extDir : null,
      });
      run.browser = browser;
      run.extensionId = extensionId;
      run.extensionURL = extensionURL;
      run.closers.unshift(() => browser.close());
      run.newPage = async () => {
        const p = await browser.newPage();
        p.on('console', (m) => run.console.push(`[page ${m.type()}] ${m.text()}`));
        p.on('pageerror', (e) => run.console.push(`[page error] ${e.message}`));
        return driver(p, 'firefox');
      };
    }
  } catch (e) {
    await closeRun(run, { keep });
    throw e;
  }
  run.close = () => closeRun(run, { keep });
  return run;
}

function grantedCopy(src, dst, extra) {
  if (statSync(src).isDirectory()) {
    cpSync(src, dst, { recursive: true });
  } else {
    // A packaged extension (the release's .xpi): unpack it with the release kit's own reader.
    execFileSync('go', ['run', './packaging/relkit', 'extract', '-o', dst, src], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const mf = join(dst, 'manifest.json');
  const m = JSON.parse(readFileSync(mf, 'utf8'));
  m.host_permissions = [...(m.optional_host_permissions || []), ...extra];
  delete m.optional_host_permissions;
  writeFileSync(mf, JSON.stringify(m, null, 2));
  return dst;
}

async function closeRun(run, { keep }) {
  for (const c of run.closers.splice(0)) {
    try { await c(); } catch (_) { /* best effort */ }
  }
  if (!keep) rmSync(run.tmp, { recursive: true, force: true });
}

/** Close only the browser (so its profile is flushed to disk before a scan). */
export async function closeBrowser(run) {
  if (run.context) { await run.context.close().catch(() => {}); run.context = null; }
  if (run.browser) { await run.browser.close().catch(() => {}); run.browser = null; }
}

/** Install page-side timers (main world) that timestamp the moments the benchmarks measure. */
async function installProbe(d) {
  await d.evaluate(() => {
    if (window.__tbProbe) return;
    const p = (window.__tbProbe = { marks: {} });
    const mark = (k) => { if (!(k in p.marks)) p.marks[k] = performance.now(); };
    p.mark = mark;
    const re = /^t\.[A-Za-z0-9_-]{60,}$/;
    document.addEventListener('click', (e) => {
      const t = (e.target && e.target.textContent || '').trim();
      if (t === 'Скопировать токен') mark('copyClick');
      if (t === 'Тинькофф') mark('tinkoffClick');
    }, true);
    document.addEventListener('input', (e) => { if (e.target && re.test(e.target.value || '')) mark('filled'); }, true);
    const check = () => {
      const c = document.querySelector('[data-tokenbridge="capture"]');
      if (c) {
        const s = c.getAttribute('data-tokenbridge-status');
        if (s === 'stored') mark('stored');
        const v = c.getAttribute('data-tokenbridge-validation');
        if (v && !['none', 'checking'].includes(v)) mark('validated');
      }
      if ([...document.querySelectorAll('input')].some((i) => i.placeholder === 'Токен')) mark('fieldShown');
      if (document.body && document.body.innerText.includes('Токен выпущен')) mark('issuedShown');
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
    check();
  });
}

export async function marks(d) { return d.evaluate(() => (window.__tbProbe ? window.__tbProbe.marks : {})); }

/** Broker flow up to the capture confirmation. Returns {token, status, validation, timings}. */
export async function issueAndCapture(run, d, { host = 'www.tbank.ru', ...opts } = {}) {
  await d.goto(`https://${host}/invest/settings/`);
  await installProbe(d);
  return issueInPage(run, d, opts);
}

/**
 * The issue flow on the bank page already open in d (settings or a finished «Токен выпущен»: it goes
 * back through «Управление токенами», same SPA, no reload): «Создать токен» → account → access →
 * «Выпустить токен» → the extra steps the replica asks for (confirm, sms, relogin) → «Токен выпущен» →
 * «Скопировать токен». Waits until the token is in `tokenbridge list --json`, or until the box shows a
 * refusal. Returns {token, access, status, validation, stored (list entry or null), timings}.
 */
export async function issueInPage(run, d, { access = 'Полный доступ', account = null, copy = true, steps = [], screenshot } = {}) {
  const before = run.sites.state.issued.length;
  if (await d.evaluate(() => document.body.innerText.includes('Управление токенами') && document.body.innerText.includes('Токен выпущен'))) {
    await d.clickText('Управление токенами');
  }
  await d.clickText('Создать токен');
  await d.waitText('Создание токена');
  if (account) {
    await d.clickText('Все счета ▾');
    await d.clickText(account);
  }
  await d.clickText(access);
  await d.clickText('Выпустить токен');
  for (const s of steps) {
    if (s === 'confirm') { await d.waitText('Подтвердите выпуск токена'); await d.clickText('Подтвердить'); }
    if (s === 'sms') { await d.waitText('Введите код из СМС'); await d.typeInto('Код из СМС', '4821'); }
    if (s === 'relogin') { await d.waitText('Войдите снова'); await d.typeInto('Пароль', 'correct horse'); await d.clickText('Войти'); }
  }
  await d.waitText('Токен выпущен');
  await d.waitFor((n) => n, run.sites.state.issued.length > before, { timeout: 5000, what: 'the replica bank to issue a token' });
  const issued = run.sites.lastIssued();
  if (copy) await d.clickText('Скопировать токен');
  // The box keeps its attributes between tokens of one page: the new token counts once it is listed.
  let stored = null;
  let st = null;
  const end = Date.now() + 15000;
  for (;;) {
    stored = (await listTokens(run.env)).find((t) => sameSecret(t, issued.token)) || null;
    st = await d.evaluate((sel) => {
      const el = document.querySelector(sel);
      return el ? el.getAttribute('data-tokenbridge-status') : null;
    }, STATUS_SEL);
    if (stored && st === 'stored') break;
    if (st && st.startsWith('error:')) break;
    if (Date.now() > end) throw new Error(`the token issued as number ${before + 1} was not stored (box status ${st})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const validation = st === 'stored' ? await d.waitFor((sel) => {
    const v = document.querySelector(sel).getAttribute('data-tokenbridge-validation');
    return v && v !== 'none' && v !== 'checking' ? v : null;
  }, STATUS_SEL, { timeout: 15000, what: 'the validation verdict (data-tokenbridge-validation)' }) : null;
  if (screenshot) { await new Promise((r) => setTimeout(r, 300)); await d.screenshot(screenshot); }
  const m = await marks(d);
  const from = copy ? m.copyClick : m.issuedShown; // the moment the page hands out the token
  return { token: issued.token, access: issued.access, status: st, validation, stored, timings: { capture: m.stored - from, validate: m.validated - from } };
}

/** Logos flow: choose «Тинькофф», wait for the fill, optionally connect. */
export async function fillOnLogos(run, d, { host = 'logos-up.com', connect = true, screenshot, timeout = 10000 } = {}) {
  await d.goto(`https://${host}/profile/`);
  await installProbe(d);
  await d.waitText('Подключение портфеля');
  await d.clickText('Тинькофф');
  const value = await d.waitFor(() => {
    const i = [...document.querySelectorAll('input')].find((x) => x.placeholder === 'Токен');
    return i && i.value ? i.value : null;
  }, null, { timeout, what: 'the token field to be filled' }).catch(() => null);
  const fillStatus = await d.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? el.getAttribute('data-tokenbridge-status') : null;
  }, FILL_SEL);
  if (screenshot && value) await d.screenshot(screenshot);
  let connected = false;
  if (connect && value) {
    await d.clickText('Подключить портфель');
    await d.waitText('✓ Портфель подключен');
    connected = true;
  }
  const m = await marks(d);
  return { value, fillStatus, connected, timings: { fill: m.filled - m.fieldShown } };
}

/**
 * Chromium only: the visible text inside the extension's CLOSED shadow root for box `role`
 * (capture | fill), read through the DevTools protocol (pages cannot read it; the test can).
 */
export async function boxText(run, d, role) {
  const cdp = await run.context.newCDPSession(d.page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    let host = null;
    const find = (n) => {
      if (host) return;
      const a = n.attributes || [];
      for (let i = 0; i < a.length; i += 2) if (a[i] === 'data-tokenbridge' && a[i + 1] === role) { host = n; return; }
      for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) find(c);
    };
    find(root);
    if (!host) return null;
    const texts = [];
    const collect = (n) => {
      if (n.nodeType === 3) texts.push(n.nodeValue);
      if (n.nodeName === 'STYLE') return;
      for (const c of [...(n.children || []), ...(n.shadowRoots || [])]) collect(c);
    };
    collect(host);
    return texts.join(' ').replace(/\s+/g, ' ').trim();
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Texts of every file under dir whose name ends with .log (recursively). */
export function readLogs(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.log(\.\d+)?$/.test(e.name) && statSync(p).size < (64 << 20)) out.push({ file: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}
