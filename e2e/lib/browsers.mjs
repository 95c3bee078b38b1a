// Launchers for the real browsers and a tiny driver layer shared by the flows, so one flow runs
// in Chromium (playwright-core) and Firefox (puppeteer-core). Clicks are real input events
// (isTrusted), found by visible text, never by class names.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIREFOX_UUID, UUID_PREFS } from './firefox-profile.mjs';

export const CHROMIUM = process.env.TB_CHROMIUM || '/usr/bin/chromium';
export const FIREFOX = process.env.TB_FIREFOX || '/usr/bin/firefox-esr';

export function requireBrowser(path, name) {
  if (!existsSync(path)) {
    throw new Error(`${name} not found at ${path}: install it (apt-get install ${name === 'Chromium' ? 'chromium' : 'firefox-esr'}) or set ${name === 'Chromium' ? 'TB_CHROMIUM' : 'TB_FIREFOX'}`);
  }
}

const NO_NETWORK = [
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--no-first-run', '--no-default-browser-check', '--disable-domain-reliability',
  '--disable-client-side-phishing-detection', '--metrics-recording-only', '--disable-breakpad',
];

/** Chromium with the unpacked extension, a persistent profile, replica hosts mapped to loopback. */
export async function launchChromium({ userDataDir, extensionDir, sites, certs, env, headless = true }) {
  requireBrowser(CHROMIUM, 'Chromium');
  const { chromium } = await import('playwright-core');
  const args = [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox',
    '--lang=ru',
    ...NO_NETWORK,
    `--host-resolver-rules=${sites.resolverRules()}, EXCLUDE localhost`,
    `--ignore-certificate-errors-spki-list=${certs.spki}`,
  ];
  if (extensionDir) args.push(`--load-extension=${extensionDir}`, `--disable-extensions-except=${extensionDir}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false, // headless mode comes from --headless=new above (extensions need the new headless)
    args,
    ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
    // Russian browser UI: on Linux Chromium takes its UI language from the environment (needs the
    // chromium-l10n package for ru.pak), so the extension's _locales/ru is used in the popup.
    env: { ...env, LANGUAGE: 'ru', LANG: 'ru_RU.UTF-8' },
    viewport: { width: 1100, height: 820 },
    locale: 'ru-RU',
    timeout: 30000,
  });
  return context;
}

/** Firefox ESR with a prepared profile (test CA imported), every host through the CONNECT proxy. */
export async function launchFirefox({ profileDir, sites, env, extensionDir }) {
  requireBrowser(FIREFOX, 'firefox-esr');
  const puppeteer = (await import('puppeteer-core')).default;
  mkdirSync(profileDir, { recursive: true });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profileDir,
    env: { ...env, LANGUAGE: 'ru', LANG: 'ru_RU.UTF-8' },
    timeout: 60000,
    extraPrefsFirefox: {
      'intl.locale.requested': 'ru',
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': sites.proxyPort,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': sites.proxyPort,
      'network.proxy.no_proxies_on': '',
      'network.proxy.allow_hijacking_localhost': true,
      'network.dns.disablePrefetch': true,
      'security.enterprise_roots.enabled': false,
      'extensions.autoDisableScopes': 0,
      'xpinstall.signatures.required': false,
      'browser.shell.checkDefaultBrowser': false,
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      ...UUID_PREFS,
    },
    // WebDriver BiDi refuses to navigate a tab to a moz-extension:// page without this flag («Navigation to
    // "moz-extension://…/popup/popup.html" is not allowed in this context»); with it the harness opens the
    // popup page in a tab and drives it like any page. It gives the automation, not the pages, more access.
    args: ['--remote-allow-system-access'],
  });
  let extensionId = null;
  if (extensionDir) extensionId = await browser.installExtension(extensionDir);
  return { browser, extensionId, extensionURL: extensionDir ? `moz-extension://${FIREFOX_UUID}` : null };
}

/**
 * Open an extension page (e.g. popup/popup.html) in the tab of driver d. Chromium: a plain navigation.
 * Firefox: BiDi reports no load event for extension pages, so navigate without waiting and poll its DOM.
 */
export async function openExtensionPage(d, url) {
  if (d.kind === 'chromium') return d.goto(url);
  await d.page.browser().connection.send('browsingContext.navigate', { context: d.page.mainFrame()._id, url, wait: 'none' });
  await d.waitFor((u) => location.href === u && document.readyState === 'complete', url, { timeout: 20000, what: `the extension page ${url}` });
}

/** Driver: the same small API over a playwright or puppeteer Page. */
export function driver(page, kind) {
  const d = {
    page,
    kind,
    async goto(url) { await page.goto(url, { waitUntil: 'load', timeout: 20000 }); },
    evaluate(fn, arg) { return page.evaluate(fn, arg); },
    async waitFor(fn, arg, { timeout = 10000, interval = 20, what = 'condition' } = {}) {
      const end = Date.now() + timeout;
      let last;
      for (;;) {
        try { last = await page.evaluate(fn, arg); } catch (e) { last = undefined; }
        if (last) return last;
        if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, interval));
      }
    },
    /** Centre of the innermost visible element whose text (all, or its own text nodes) is exactly `text`. */
    async locate(text, frame) {
      return (frame || page).evaluate((t) => {
        const norm = (s) => s.replace(/\s+/g, ' ').trim();
        const own = (el) => norm([...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join(' '));
        const all = [...document.querySelectorAll('body *')].filter((el) => {
          if (norm(el.textContent) !== t && own(el) !== t) return false;
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0;
        });
        const inner = all.filter((el) => !all.some((o) => o !== el && el.contains(o)));
        const el = inner[0];
        if (!el) return null;
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }, text);
    },
    async clickText(text, { timeout = 10000 } = {}) {
      const end = Date.now() + timeout;
      let at = null;
      while (!(at = await d.locate(text))) {
        if (Date.now() > end) throw new Error(`no visible element with text «${text}» on ${page.url()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.mouse.click(at.x, at.y);
    },
    /** The frame whose URL contains urlPart (playwright and puppeteer both have page.frames()). */
    frame(urlPart) { return page.frames().find((f) => f.url().includes(urlPart)) || null; },
    /** Trusted click on text inside the iframe `frameSel` of the top page whose URL contains urlPart. */
    async clickTextInFrame(frameSel, urlPart, text, { timeout = 10000 } = {}) {
      const end = Date.now() + timeout;
      let at = null;
      let f = null;
      for (;;) {
        f = d.frame(urlPart);
        if (f) {
          await page.evaluate((sel) => { const el = document.querySelector(sel); if (el) el.scrollIntoView({ block: 'start' }); }, frameSel);
          // Locate inside the frame first: its scrollIntoView may scroll the top page too.
          const inner = await d.locate(text, f).catch(() => null);
          const box = inner && await page.evaluate((sel) => {
            const el = document.querySelector(sel);
            if (!el) return null;
            const r = el.getBoundingClientRect();
            return { x: r.left + el.clientLeft, y: r.top + el.clientTop };
          }, frameSel);
          if (inner && box) { at = { x: box.x + inner.x, y: box.y + inner.y }; break; }
        }
        if (Date.now() > end) throw new Error(`no visible element with text «${text}» in frame ${urlPart}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.mouse.click(at.x, at.y);
      return f;
    },
    /** Real (trusted) key presses into the field with aria-label `label` (focused first, clicked like a user). */
    async typeInto(label, text) {
      const at = await d.waitFor((l) => {
        const el = [...document.querySelectorAll('input')].find((i) => i.getAttribute('aria-label') === l);
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return r.width > 0 ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : null;
      }, label, { what: `the field «${label}»` });
      await page.mouse.click(at.x, at.y);
      await page.keyboard.type(text, { delay: 20 });
    },
    async waitText(text, opts = {}) {
      return d.waitFor((t) => document.body && document.body.innerText.includes(t), text, { what: `text «${text}»`, ...opts });
    },
    async screenshot(path) { await page.screenshot({ path, fullPage: false }); },
  };
  return d;
}

