// Test helpers: load fixture pages into jsdom and evaluate the extension's classic scripts in them.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXT = path.resolve(here, '../..');
export const FIXTURES = path.join(EXT, 'test/fixtures');
export const EXT_ID = 'hodkpdeoebfagkfdfjfhcfnbemcgabcj';

// The fake fixture token (never a real one). Built in pieces so it is not one greppable literal.
export const FIXTURE_TOKEN = ['t.TBfixtureTokenOnly', 'ForTests_abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456'].join('');
export const OTHER_TOKEN = 't.TBsecondFixtureToken-' + 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba0123456789';

export const read = (rel) => readFileSync(path.join(EXT, rel), 'utf8');

/** Compare without ever printing the values (they may be token-shaped). */
export function same(actual, expected, msg) {
  assert.ok(actual === expected, msg || 'values differ (not printed: may be secret-shaped)');
}

/**
 * Build a jsdom window for a fixture (or raw html) at url, with the missing browser bits the
 * extension relies on (crypto.subtle, TextEncoder, a fake Clipboard, document.execCommand).
 */
export function page(fixtureOrHtml, url, opts = {}) {
  const html = fixtureOrHtml.trim().startsWith('<') ? fixtureOrHtml : readFileSync(path.join(FIXTURES, fixtureOrHtml), 'utf8');
  const dom = new JSDOM(html, {
    url,
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    beforeParse(window) {
      Object.defineProperty(window, 'crypto', { value: webcrypto, configurable: true });
      window.TextEncoder = TextEncoder;
      const clip = { text: '' };
      class Clipboard {
        writeText(t) { clip.text = String(t); return Promise.resolve(); }
        readText() { return Promise.resolve(clip.text); }
      }
      window.Clipboard = Clipboard;
      Object.defineProperty(window.navigator, 'clipboard', { value: new Clipboard(), configurable: true });
      window.Document.prototype.execCommand = function (cmd) {
        if (String(cmd).toLowerCase() !== 'copy') return false;
        const ev = new window.Event('copy', { bubbles: true, cancelable: true });
        this.dispatchEvent(ev);
        return true;
      };
      window.__clip = clip;
      // The browser's extension API as far as content scripts use it here: i18n only (no runtime.id, so
      // controllers do not auto-start; tests start them).
      window.chrome = { i18n: i18n(opts.locale || 'ru') };
      if (opts.mainWorld) window.eval(read('content/tinvest-main.js'));
      if (opts.beforeParse) opts.beforeParse(window);
    },
  });
  return dom.window;
}

/**
 * Evaluate extension scripts (relative to extension/) in the window, like the manifest lists them.
 * Content scripts do not auto-start here (no chrome.runtime.id); tests call startCapture/startFill with
 * an `isTrusted` rule of their own, since jsdom cannot make trusted events.
 */
export function load(window, files) {
  for (const f of files) window.eval(read(f));
  // The extension ID as the browser reports it (error advice names it). Set after loading, so no
  // controller auto-starts.
  if (window.chrome && !window.chrome.runtime) window.chrome.runtime = { id: EXT_ID };
  return window.TokenBridge;
}

// The content scripts' lists, exactly as the manifest has them.
const MANIFEST = JSON.parse(read('manifest.json'));
const listFor = (last) => MANIFEST.content_scripts.find((c) => c.js[c.js.length - 1] === last).js;
export const CAPTURE_LIBS = listFor('content/tinvest.js');
export const FILL_LIBS = listFor('content/logos.js');

/**
 * chrome.i18n for one locale of _locales (getMessage with named placeholders and $1.. substitutions,
 * as the browser does it). The extension's parts speak the browser's UI language through it.
 */
export function i18n(locale = 'ru') {
  const msgs = JSON.parse(read('_locales/' + locale + '/messages.json'));
  return {
    getUILanguage: () => locale,
    getMessage(key, subs) {
      const e = msgs[key];
      if (!e) return '';
      const args = Array.isArray(subs) ? subs : subs == null ? [] : [subs];
      const ph = e.placeholders || {};
      return e.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (m, name) => {
        const p = ph[name.toLowerCase()];
        return p ? p.content.replace(/\$(\d)/g, (_, n) => String(args[n - 1] ?? '')) : m;
      });
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Wait until pred() is truthy (polling), or fail after ms. */
export async function until(pred, ms = 2000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(10);
  }
  assert.fail('timed out waiting for ' + what);
}
