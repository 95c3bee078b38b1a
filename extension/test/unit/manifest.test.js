import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { read, EXT, page, load } from './helpers.js';

const manifest = JSON.parse(read('manifest.json'));

test('manifest: MV3, one tree for Chromium and Firefox', () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.background.service_worker, 'background.js');
  // Firefox loads the list; Chromium's service worker imports the same files itself (background.js FILES).
  const files = manifest.background.scripts;
  assert.equal(files[files.length - 1], 'background.js');
  const m = read('background.js').match(/const FILES = \[([^\]]*)\]/);
  assert.ok(m, 'background.js lists the files it imports');
  assert.deepEqual([...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]), files.slice(0, -1));
  assert.equal(files[0], 'lib/base.js');
  assert.equal(manifest.browser_specific_settings.gecko.id, 'tokenbridge@tokenbridge.dev');
  assert.ok(parseInt(manifest.browser_specific_settings.gecko.strict_min_version, 10) >= 128, 'world: MAIN needs Firefox 128');
  assert.ok(manifest.key.startsWith('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyaNzkA8ejyMF5TwyOpZdUVc'));
  assert.equal(manifest.default_locale, 'ru');
});

test('manifest: least permissions, no host permissions, no external messaging', () => {
  assert.deepEqual([...manifest.permissions].sort(), ['activeTab', 'alarms', 'clipboardRead', 'clipboardWrite', 'contextMenus', 'nativeMessaging', 'offscreen', 'scripting', 'storage']);
  assert.equal(manifest.host_permissions, undefined);
  // Only the optional fill rules' sites, asked at run time when the user turns one on (lib/rules.js).
  assert.deepEqual([...manifest.optional_host_permissions], ['https://snowball-income.com/*']);
  assert.equal(manifest.externally_connectable, undefined);
  assert.equal(manifest.web_accessible_resources, undefined, 'no page may load extension files');
});

test('manifest: content scripts only on the four allowed patterns, top frame only', () => {
  const allowed = new Set(['https://www.tbank.ru/invest/settings/*', 'https://www.tinkoff.ru/invest/settings/*',
    'https://logos-up.com/profile*', 'https://www.logos-up.com/profile*']);
  for (const cs of manifest.content_scripts) {
    assert.equal(cs.all_frames, false);
    assert.equal(cs.match_about_blank, undefined);
    for (const m of cs.matches) assert.ok(allowed.has(m), 'unexpected match pattern');
    for (const f of cs.js) assert.ok(existsSync(path.join(EXT, f)), 'missing ' + f);
  }
  const main = manifest.content_scripts.filter((c) => c.world === 'MAIN');
  assert.equal(main.length, 1);
  assert.deepEqual(main[0].js, ['content/tinvest-main.js']);
  assert.ok(!main[0].matches.some((m) => m.includes('logos')), 'no main-world script on Logos');
});

test('background is classic scripts without ES module syntax or external listeners', () => {
  for (const f of manifest.background.scripts) {
    const src = read(f);
    assert.doesNotMatch(src, /^\s*(import|export)\s/m, f);
    assert.doesNotMatch(src, /onMessageExternal\.addListener|onConnectExternal\.addListener/, f);
    assert.doesNotMatch(src, /console\.(log|info|debug|warn|error)/, f);
  }
});

test('one token length: lib/token.js MAX_LENGTH (512, the host\'s limit) and the MAIN-world copy agree', () => {
  const TB = load(page('<p></p>', 'https://example.invalid/'), ['lib/base.js', 'lib/token.js']);
  assert.equal(TB.token.MAX_LENGTH, 512);
  assert.match(read('content/tinvest-main.js'), new RegExp('const MAX_LENGTH = ' + TB.token.MAX_LENGTH + ';'));
  assert.equal(TB.token.isTokenShape('t.' + 'a'.repeat(510)), true);
  assert.equal(TB.token.isTokenShape('t.' + 'a'.repeat(511)), false);
});

test('no console output and no storage of secrets in extension code', () => {
  const files = ['background.js', ...readdirSync(path.join(EXT, 'background')).map((f) => 'background/' + f), 'popup/popup.js', 'offscreen/offscreen.js', ...readdirSync(path.join(EXT, 'lib')).map((f) => 'lib/' + f),
    ...readdirSync(path.join(EXT, 'content')).map((f) => 'content/' + f)];
  for (const f of files) {
    const src = read(f);
    assert.doesNotMatch(src, /console\.(log|info|debug|warn|error)/, f);
    for (const m of src.matchAll(/storage\.(local|sync|session)\.set\(([^)]*)\)/g)) {
      // Only settings, and (memory-only session storage) the clipboard clear's {digest, due} — never a value.
      if (m[1] === 'session' && m[2] === '{ [CLIP_KEY]: clipPending }') continue;
      assert.match(m[2], /^\{ settings: /, f + ' stores something other than settings');
    }
    assert.doesNotMatch(src, /innerHTML\s*=/, f + ' uses innerHTML');
  }
});

test('locales: ru and en have the same keys and cover every key the popup uses', () => {
  const ru = JSON.parse(read('_locales/ru/messages.json'));
  const en = JSON.parse(read('_locales/en/messages.json'));
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  const used = new Set();
  const html = read('popup/popup.html');
  for (const m of html.matchAll(/data-i18n(?:-placeholder)?="([^"]+)"/g)) used.add(m[1]);
  for (const m of read('popup/popup.js').matchAll(/\bt\('([A-Za-z_]+)'\s*[,)]/g)) used.add(m[1]);
  for (const k of ['kind_full_access', 'kind_readonly', 'kind_sandbox', 'kind_unknown', 'badge_full_access', 'badge_readonly', 'badge_sandbox', 'badge_invalid', 'badge_upstream', 'badge_unchecked']) used.add(k);
  for (const k of used) assert.ok(ru[k] && en[k], 'missing locale key ' + k);
  for (const k of ['extName', 'extDescription']) assert.ok(ru[k] && en[k]);
  assert.match(ru.err_host_missing.message, /\.\/scripts\/install\.sh/);
});

test('popup model: expiry = last use + 3 months, warning under 14 days, badges', () => {
  const TB = load(page('<p></p>', 'https://example.invalid/'), ['lib/base.js', 'lib/label.js', 'lib/popup-model.js']);
  const now = Date.parse('2026-11-25T00:00:00Z');
  const e = TB.popupModel.expiryInfo({ last_used_at: '2026-09-01T00:00:00Z', created_at: '2026-01-01T00:00:00Z' }, now);
  assert.equal(e.expires.toISOString().slice(0, 10), '2026-12-01');
  assert.equal(e.soon, true);
  const far = TB.popupModel.expiryInfo({ created_at: '2026-11-20T00:00:00Z' }, now);
  assert.equal(far.soon, false);
  assert.equal(TB.popupModel.addMonths(new Date('2026-11-30T00:00:00Z'), 3).toISOString().slice(0, 10), '2027-02-28');
  assert.equal(TB.popupModel.expiryInfo({}, now), null);
  assert.equal(TB.popupModel.badgeFor({}), 'unchecked');
  assert.equal(TB.popupModel.badgeFor({ validation: { result: 'sandbox' } }), 'sandbox');
  assert.equal(TB.popupModel.badgeFor({ validation: { result: 'weird' } }), 'unchecked');
  assert.deepEqual([...TB.popupModel.accountNames({ validation: { accounts: [{ name: 'ИИС' }, { id: '42' }] } })], ['ИИС', '42']);
});

test('the shared namespace cannot be shadowed by named page elements (<form id="TokenBridge">)', async () => {
  const { page, load, FILL_LIBS, CAPTURE_LIBS } = await import('./helpers.js');
  for (const libs of [FILL_LIBS, CAPTURE_LIBS]) {
    const w = page('<form id="TokenBridge"><input name="findBlock"></form><img name="TokenBridge"><p>x</p>', 'https://logos-up.com/profile/');
    assert.notEqual(typeof w.TokenBridge, 'undefined', 'jsdom exposes the named element on window (the attack surface)');
    const TB = load(w, libs);
    assert.equal(Object.getPrototypeOf(TB), w.Object.prototype, 'a plain object, not the form');
    assert.equal(TB[w.Symbol.for('tokenbridge.namespace.v1')], true, 'carries the private marker');
    assert.equal(typeof (TB.capture || TB.fill), 'object');
    assert.equal(typeof TB.ui.createBox, 'function');
    assert.equal(w.document.getElementById('TokenBridge').createBox, undefined, 'nothing was attached to the page element');
    // Loading the libs again (second content script in the same world) reuses the one namespace.
    w.eval(read('lib/base.js'));
    w.eval(read('lib/dom.js'));
    assert.equal(w.TokenBridge, TB);
  }
});

test('only lib/base.js creates the namespace; it is listed first wherever the libs are loaded', async () => {
  const { FILL_LIBS, CAPTURE_LIBS } = await import('./helpers.js');
  const libs = readdirSync(path.join(EXT, 'lib')).map((f) => 'lib/' + f);
  for (const f of libs.concat(['content/tinvest.js', 'content/logos.js', 'popup/popup.js'])) {
    const creates = /defineProperty\(globalThis,/.test(read(f));
    assert.equal(creates, f === 'lib/base.js', f);
  }
  const isolated = manifest.content_scripts.filter((c) => c.world !== 'MAIN');
  assert.equal(isolated.length, 2);
  for (const list of isolated.map((c) => c.js).concat([FILL_LIBS, CAPTURE_LIBS])) assert.equal(list[0], 'lib/base.js');
  const popupScripts = [...read('popup/popup.html').matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(popupScripts, ['../lib/base.js', '../lib/errors.js', '../lib/strings.js', '../lib/label.js', '../lib/popup-model.js', 'popup.js']);
});

test('without lib/base.js the other scripts attach nothing, not even to a named element or a writable look-alike', () => {
  const w = page('<form id="TokenBridge"><input name="findBlock"></form><p>x</p>', 'https://logos-up.com/profile/');
  for (const f of ['lib/dom.js', 'lib/token.js', 'lib/strings.js', 'lib/fill.js', 'lib/ui.js', 'content/logos.js']) w.eval(read(f));
  const form = w.document.getElementById('TokenBridge');
  assert.equal(w.TokenBridge, form, 'still only the named element');
  assert.equal(form.walk, undefined);
  assert.equal(form.createBox, undefined);
  assert.equal(form.startFill, undefined);
  // A marked plain object that is writable (so not the one base.js defines) does not count either.
  const w2 = page('<p>x</p>', 'https://logos-up.com/profile/');
  w2.eval("globalThis.TokenBridge = {}; globalThis.TokenBridge[Symbol.for('tokenbridge.namespace.v1')] = true;");
  const fake = w2.TokenBridge;
  w2.eval(read('lib/dom.js'));
  assert.equal(fake.walk, undefined, 'a writable look-alike is not extended');
  const TB = load(w2, ['lib/base.js', 'lib/dom.js']);
  assert.notEqual(TB, fake, 'base.js replaces it');
  assert.equal(typeof TB.dom.walk, 'function');
});

test('a foreign object already at globalThis.TokenBridge is replaced, never extended', async () => {
  const { page, load, FILL_LIBS } = await import('./helpers.js');
  const w = page('<p>x</p>', 'https://logos-up.com/profile/');
  w.eval('globalThis.TokenBridge = { evil: true, createBox: function () { return "pwned"; } };');
  const TB = load(w, FILL_LIBS);
  assert.equal(TB.evil, undefined);
  assert.notEqual(TB.ui.createBox(w.document, 'fill'), 'pwned');
});

test('shipped code carries no test-only switches', () => {
  const dirs = ['lib', 'content', 'background'];
  for (const f of ['background.js', 'popup/popup.js', ...dirs.flatMap((d) => readdirSync(path.join(EXT, d)).map((x) => d + '/' + x))]) {
    const src = read(f);
    assert.doesNotMatch(src, /ForTests|noAutoStart|__allow/, f);
  }
});

test('in-page box buttons ignore script clicks unless told otherwise', async () => {
  const { page, load, FILL_LIBS } = await import('./helpers.js');
  const w = page('<p>x</p>', 'https://logos-up.com/profile/');
  const TB = load(w, FILL_LIBS);
  let n = 0;
  const box = TB.ui.createBox(w.document, 'fill');
  box.set('offer', [['a', 'b']], 'info');
  box.button('go', () => { n++; });
  box._buttons()[0].click();
  assert.equal(n, 0, 'an untrusted click does nothing');
});

test('the one error table has advice for every code the host or the extension can report', () => {
  const ru = JSON.parse(read('_locales/ru/messages.json'));
  const en = JSON.parse(read('_locales/en/messages.json'));
  const codes = new Set();
  // The host's codes (host/native/errors.go) …
  const goErrors = readFileSync(path.join(EXT, '../host/native/errors.go'), 'utf8');
  for (const m of goErrors.matchAll(/Code[A-Za-z]+\s*=\s*"([a-z_]+)"/g)) codes.add(m[1]);
  assert.ok(codes.has('keyring_locked') && codes.size > 5, 'host codes found');
  // … and every code the extension itself raises.
  const dirs = ['lib', 'content', 'background'];
  for (const f of ['background.js', 'popup/popup.js', ...dirs.flatMap((d) => readdirSync(path.join(EXT, d)).map((x) => d + '/' + x))]) {
    for (const m of read(f).matchAll(/(?:fail\(|code: )'([a-z_]+)'/g)) codes.add(m[1]);
  }
  const aliases = { no_block: 'no_logos_tab', no_content_script: 'no_logos_tab', none: 'no_usable_token' };
  for (const c of codes) {
    const key = 'err_' + (aliases[c] || c);
    assert.ok(ru[key] && en[key], 'no advice for error code ' + c);
    assert.doesNotMatch(ru[key].message + en[key].message, /\d+\s*(?:s|с|сек)(?![A-Za-zА-Яа-я])/, key + ' hard-codes a duration');
  }
});

test('the optional sites get the same fill script files as Logos (background/sites.js FILL_FILES = the manifest)', () => {
  const logos = manifest.content_scripts.find((c) => c.js[c.js.length - 1] === 'content/logos.js');
  assert.ok(logos, 'the manifest loads content/logos.js');
  const m = read('background/sites.js').match(/const FILL_FILES = Object\.freeze\(\[([^\]]*)\]/);
  assert.ok(m, 'sites.js lists the fill files');
  assert.deepEqual([...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]), logos.js);
});
