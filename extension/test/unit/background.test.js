import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { webcrypto } from 'node:crypto';
import { read, page, FIXTURE_TOKEN, same, i18n } from './helpers.js';

const EXT_ID = 'hodkpdeoebfagkfdfjfhcfnbemcgabcj';
// The background's files in load order, as Firefox loads them (Chromium: background.js imports the rest).
const FILES = JSON.parse(read('manifest.json')).background.scripts;

/** Load background.js in a fresh context with a fake chrome. hostReply(msg) -> reply fields or an error. */
function boot(opts = {}) {
  const hostLog = [];
  const listeners = { message: [], connect: [], external: [] };
  let connects = 0;
  const ports = [];
  const chrome = {
    i18n: i18n('en'),
    runtime: {
      id: EXT_ID,
      lastError: undefined,
      getURL: (p) => 'chrome-extension://' + EXT_ID + '/' + p,
      onMessage: { addListener: (f) => listeners.message.push(f) },
      onConnect: { addListener: (f) => listeners.connect.push(f) },
      onMessageExternal: { addListener: (f) => listeners.external.push(f) },
      onConnectExternal: { addListener: (f) => listeners.external.push(f) },
      connectNative(name) {
        connects++;
        assert.equal(name, 'dev.tokenbridge.host');
        const onMsg = [];
        const onDisc = [];
        const port = {
          name,
          onMessage: { addListener: (f) => onMsg.push(f) },
          onDisconnect: { addListener: (f) => onDisc.push(f) },
          postMessage(m) {
            hostLog.push(JSON.parse(JSON.stringify(m)));
            setImmediate(() => {
              if (opts.disconnectWith) {
                chrome.runtime.lastError = { message: opts.disconnectWith };
                for (const f of onDisc) f(port);
                chrome.runtime.lastError = undefined;
                return;
              }
              const r = (opts.hostReply || defaultReply)(m);
              const reply = r && r.error ? { id: m.id, ok: false, error: r.error } : { id: m.id, ok: true, ...r };
              for (const f of onMsg) f(reply);
            });
          },
          disconnect() {},
          _disconnect(text) { chrome.runtime.lastError = text ? { message: text } : undefined; for (const f of onDisc) f(port); chrome.runtime.lastError = undefined; },
        };
        ports.push(port);
        return port;
      },
    },
    tabs: {
      query: async () => opts.tabs || [],
      sendMessage: async (tabId, msg, o) => { (opts.tabMessages || []).push({ tabId, msg, o }); return { ok: true, status: 'filled' }; },
    },
    storage: { local: { get: async () => ({}), set: async () => {} } },
  };
  if (opts.session) chrome.storage.session = opts.session;
  chrome.runtime.getManifest = () => JSON.parse(read('manifest.json'));
  if (opts.extra) Object.assign(chrome, opts.extra(chrome));
  if (opts.alarms) chrome.alarms = opts.alarms;
  const ctx = { chrome, URL, setTimeout, clearTimeout, setImmediate, console, navigator: opts.navigator || {}, crypto: webcrypto, TextEncoder };
  if (opts.unrefTimers) ctx.setTimeout = (f, ms) => { const t = setTimeout(f, ms); t.unref(); return t; };
  ctx.globalThis = ctx;
  ctx.self = ctx;
  vm.createContext(ctx);
  for (const f of FILES) vm.runInContext(read(f), ctx, { filename: f });
  const call = (msg, sender) => new Promise((resolve) => {
    const keep = listeners.message[0](msg, sender, resolve);
    assert.equal(keep, true);
  });
  return { call, hostLog, listeners, ports, connects: () => connects, bg: ctx.__tokenbridgeBackground };
}

function defaultReply(m) {
  switch (m.cmd) {
    case 'hello': return { protocol: 1, version: 'test', keyring: 'ok' };
    case 'list': return { tokens: [{ id: 'tok_a', provider: 'tinvest', kind: 'full_access', source_origin: 'https://www.tinkoff.ru', label: 'A', masked: 't.TB…3456' }] };
    case 'get': return { secret: FIXTURE_TOKEN, token: { id: m.token_id, label: 'A' } };
    case 'store': return { created: true, token: { id: 'tok_new', label: m.label, kind: m.kind } };
    case 'validate': return { token: { id: m.token_id, validation: { result: 'full_access', accounts: [{ id: '1' }, { id: '2' }] } } };
    case 'record_use': return { token: { id: m.token_id } };
    default: return { error: { code: 'unknown_cmd', message: 'x' } };
  }
}

const tabSender = (url, extra = {}) => ({ id: EXT_ID, url, origin: new URL(url).origin, tab: { id: 7, url }, frameId: 0, ...extra });
const LOGOS = 'https://logos-up.com/profile/';
const BROKER = 'https://www.tbank.ru/invest/settings/tokens';
const POPUP = { id: EXT_ID, url: 'chrome-extension://' + EXT_ID + '/popup/popup.html' };

test('no listener for other extensions (onMessageExternal / onConnectExternal)', () => {
  const { listeners } = boot();
  assert.equal(listeners.external.length, 0);
  assert.equal(listeners.message.length, 1);
});

const REFUSED = [
  ['another extension', { ...tabSender(LOGOS), id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
  ['no sender id (web page)', { ...tabSender(LOGOS), id: undefined }],
  ['a sub-frame of Logos', tabSender(LOGOS, { frameId: 3 })],
  ['frameId missing', tabSender(LOGOS, { frameId: undefined })],
  ['no tab', { id: EXT_ID, url: LOGOS, origin: 'https://logos-up.com', frameId: 0 }],
  ['http Logos', tabSender('http://logos-up.com/profile/')],
  ['Logos on another path', tabSender('https://logos-up.com/login/')],
  ['look-alike host', tabSender('https://logos-up.com.evil.example/profile/')],
  ['subdomain', tabSender('https://evil.logos-up.com/profile/')],
  ['explicit port', tabSender('https://logos-up.com:8443/profile/')],
  ['userinfo', tabSender('https://user:pw@logos-up.com/profile/')],
  ['origin disagrees with url', tabSender(LOGOS, { origin: 'https://evil.example' })],
  ['broker page asking for a fill', tabSender(BROKER)],
  ['another extension page', { id: EXT_ID, url: 'chrome-extension://' + EXT_ID + '/offscreen/offscreen.html' }],
  ['garbage sender', null],
];

for (const [name, sender] of REFUSED) {
  test('nothing released to ' + name, async () => {
    const { call, hostLog } = boot();
    const r = await call({ type: 'tb:fill-secret', token_id: 'tok_a', origin: 'https://logos-up.com' }, sender);
    assert.equal(r.ok, false);
    assert.equal(r.secret, undefined);
    assert.equal(hostLog.filter((m) => m.cmd === 'get').length, 0, 'host was asked for a secret');
  });
}

test('popup-only commands are refused from content scripts', async () => {
  const { call, hostLog } = boot();
  for (const type of ['tb:copy', 'tb:list', 'tb:delete', 'tb:moex-copy', 'tb:fill-active']) {
    const r = await call({ type, token_id: 'tok_a', name: 'p' }, tabSender(LOGOS));
    assert.equal(r.ok, false, type);
    const r2 = await call({ type, token_id: 'tok_a', name: 'p' }, tabSender(BROKER));
    assert.equal(r2.ok, false, type);
  }
  assert.equal(hostLog.length, 0);
});

test('Logos top frame gets the secret; origin comes from sender, not the message', async () => {
  const { call, hostLog } = boot();
  const r = await call({ type: 'tb:fill-secret', token_id: 'tok_a', origin: 'https://evil.example' }, tabSender('https://www.logos-up.com/profile/'));
  assert.equal(r.ok, true);
  same(r.secret, FIXTURE_TOKEN);
  const get = hostLog.find((m) => m.cmd === 'get');
  assert.equal(get.purpose, 'fill');
  assert.equal(get.origin, 'https://www.logos-up.com');
  const ru = await call({ type: 'tb:record-use', token_id: 'tok_a', origin: 'https://evil.example' }, tabSender(LOGOS));
  assert.equal(ru.ok, true);
  assert.equal(hostLog.find((m) => m.cmd === 'record_use').origin, 'https://logos-up.com');
});

test('fill candidates carry metadata only', async () => {
  const { call } = boot();
  const r = await call({ type: 'tb:fill-candidates' }, tabSender(LOGOS));
  assert.equal(r.ok, true);
  assert.deepEqual(Object.keys(r.tokens[0]).sort(), ['created_at', 'id', 'kind', 'label', 'last_used_at', 'masked', 'provider', 'validation']);
});

test('capture: source_origin from sender; token shape enforced; validate limited to own captures', async () => {
  const { call, hostLog } = boot();
  const r = await call({ type: 'tb:capture', secret: FIXTURE_TOKEN, kind: 'full_access', scope: { all_accounts: true, account_name: '' }, label: 'T-Invest', source_origin: 'https://evil.example' }, tabSender(BROKER));
  assert.equal(r.ok, true);
  assert.equal(r.token.id, 'tok_new');
  const store = hostLog.find((m) => m.cmd === 'store');
  assert.equal(store.source_origin, 'https://www.tbank.ru');
  assert.equal(store.provider, 'tinvest');
  const v = await call({ type: 'tb:validate', token_id: 'tok_new' }, tabSender(BROKER));
  assert.equal(v.ok, true);
  assert.equal(v.token.validation.accounts, 2);
  // tok_a was stored from tinkoff.ru, not from this tab's origin: refused.
  const v2 = await call({ type: 'tb:validate', token_id: 'tok_a' }, tabSender(BROKER));
  assert.equal(v2.ok, false);
  assert.equal(v2.error.code, 'not_allowed');
  const bad = await call({ type: 'tb:capture', secret: 't.Ab…Yz9Q', kind: 'full_access' }, tabSender(BROKER));
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'bad_request');
  const badKind = await call({ type: 'tb:capture', secret: FIXTURE_TOKEN, kind: 'admin' }, tabSender(BROKER));
  assert.equal(badKind.error.code, 'bad_request');
  assert.equal(hostLog.filter((m) => m.cmd === 'store').length, 1);
});

test('capture from a sub-frame or a non-broker origin is refused', async () => {
  const { call, hostLog } = boot();
  for (const s of [tabSender(BROKER, { frameId: 2 }), tabSender('https://www.tbank.ru/other/'), tabSender(LOGOS)]) {
    const r = await call({ type: 'tb:capture', secret: FIXTURE_TOKEN, kind: 'full_access' }, s);
    assert.equal(r.ok, false);
  }
  assert.equal(hostLog.length, 0);
});

test('popup: one native port for many requests; popup replies never contain secrets', async () => {
  const { call, connects, hostLog } = boot();
  assert.equal((await call({ type: 'tb:hello' }, POPUP)).keyring, 'ok');
  assert.equal((await call({ type: 'tb:list' }, POPUP)).tokens.length, 1);
  assert.equal(connects(), 1);
  const ids = hostLog.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
});

test('popup fill-active only targets a Logos tab, with frameId 0, and sends no secret', async () => {
  const tabMessages = [];
  const a = boot({ tabs: [{ id: 5, url: 'https://evil.example/profile' }], tabMessages });
  const r = await a.call({ type: 'tb:fill-active', token_id: 'tok_a' }, POPUP);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'no_logos_tab');
  const b = boot({ tabs: [{ id: 5, url: LOGOS }], tabMessages });
  const r2 = await b.call({ type: 'tb:fill-active', token_id: 'tok_a' }, POPUP);
  assert.equal(r2.ok, true);
  assert.equal(tabMessages.length, 1);
  assert.equal(tabMessages[0].o.frameId, 0);
  assert.deepEqual(Object.keys(tabMessages[0].msg).sort(), ['token_id', 'type']);
  assert.equal(b.hostLog.filter((m) => m.cmd === 'get').length, 0);
  // URL hidden (no "tabs" permission): the message still carries no secret, and only goes to frame 0.
  const c = boot({ tabs: [{ id: 6 }], tabMessages });
  const r3 = await c.call({ type: 'tb:fill-active', token_id: 'tok_a' }, POPUP);
  assert.equal(r3.ok, true);
  assert.equal(tabMessages[1].tabId, 6);
  assert.equal(tabMessages[1].o.frameId, 0);
  assert.equal(c.hostLog.length, 0);
});

test('host not installed / forbidden map to clear codes with the fix', async () => {
  const a = boot({ disconnectWith: 'Specified native messaging host not found.' });
  const r = await a.call({ type: 'tb:hello' }, POPUP);
  assert.equal(r.error.code, 'host_missing');
  assert.match(r.error.message, /\.\/scripts\/install\.sh/);
  const b = boot({ disconnectWith: 'Access to the specified native messaging host is forbidden.' });
  const r2 = await b.call({ type: 'tb:hello' }, POPUP);
  assert.equal(r2.error.code, 'host_forbidden');
  assert.match(r2.error.message, /tokenbridge install --extension-id hodkpdeoebfagkfdfjfhcfnbemcgabcj/);
  const c = boot({ disconnectWith: 'No such native application dev.tokenbridge.host' });
  assert.equal((await c.call({ type: 'tb:hello' }, POPUP)).error.code, 'host_missing');
});

test('reconnects after the host port disconnects', async () => {
  const { call, ports, connects } = boot();
  await call({ type: 'tb:hello' }, POPUP);
  ports[0]._disconnect('Native host has exited.');
  await call({ type: 'tb:hello' }, POPUP);
  assert.equal(connects(), 2);
});

test('host errors pass through with their code (e.g. keyring_locked, target_denied)', async () => {
  const { call } = boot({ hostReply: (m) => m.cmd === 'get' ? { error: { code: 'target_denied', message: 'no' } } : { error: { code: 'keyring_locked', message: 'unlock it' } } });
  assert.equal((await call({ type: 'tb:hello' }, POPUP)).error.code, 'keyring_locked');
  const r = await call({ type: 'tb:fill-secret', token_id: 'tok_a' }, tabSender(LOGOS));
  assert.equal(r.error.code, 'target_denied');
  assert.equal(r.secret, undefined);
});

test('malformed messages and ids are rejected before reaching the host', async () => {
  const { call, hostLog } = boot();
  for (const m of [null, 'x', {}, { type: 5 }, { type: 'tb:fill-secret', token_id: '../../x' }, { type: 'tb:fill-secret', token_id: 'a'.repeat(65) }, { type: 'tb:fill-secret' }]) {
    const r = await call(m, tabSender(LOGOS));
    assert.equal(r.ok, false);
  }
  assert.equal(hostLog.length, 0);
});

function memSession() {
  const mem = {};
  return {
    mem,
    set: async (o) => { Object.assign(mem, JSON.parse(JSON.stringify(o))); },
    get: async (k) => (k in mem ? { [k]: mem[k] } : {}),
    remove: async (k) => { delete mem[k]; },
  };
}

test('flood guard: a broker tab stores 20 distinct tokens per 10 minutes; past that only a user-confirmed one, and the popup is told', async () => {
  const session = memSession();
  const { call, hostLog } = boot({ session });
  const sender = { id: EXT_ID, url: 'https://www.tbank.ru/invest/settings/', origin: 'https://www.tbank.ru', tab: { id: 7 }, frameId: 0 };
  const tok = (i) => FIXTURE_TOKEN.slice(0, -2) + String(i).padStart(2, '0');
  for (let i = 0; i < 20; i++) assert.equal((await call({ type: 'tb:capture', secret: tok(i) }, sender)).ok, true, 'token ' + (i + 1));
  assert.equal((await call({ type: 'tb:capture', secret: tok(0) }, sender)).ok, true, 'the same token again is fine');
  const r = await call({ type: 'tb:capture', secret: tok(20) }, sender);
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'capture_limit');
  assert.match(r.error.detail, /20 tokens in the last 10 minutes/);
  assert.match(r.error.message, /Save this token/, 'the advice names the box button');
  assert.equal(hostLog.filter((m) => m.cmd === 'store').length, 21, 'the refused token never reached the host');
  const confirmed = await call({ type: 'tb:capture', secret: tok(20), confirmed: true }, sender);
  assert.equal(confirmed.ok, true, 'a token the user confirmed in the page is stored past the limit');
  const other = await call({ type: 'tb:capture', secret: tok(21) }, { ...sender, tab: { id: 8 } });
  assert.equal(other.ok, true, 'another tab has its own budget');
  const hits = await call({ type: 'tb:capture-limits' }, POPUP);
  assert.equal(hits.ok, true);
  assert.equal(hits.hits.length, 1);
  assert.equal(hits.hits[0].origin, 'https://www.tbank.ru');
  assert.ok(Math.abs(hits.hits[0].at - Date.now()) < 5000);
  assert.ok(!JSON.stringify(session.mem).includes(FIXTURE_TOKEN.slice(2, 30)), 'session storage holds no form of the token');
  assert.equal((await call({ type: 'tb:capture-limits' }, sender)).error.code, 'not_allowed', 'only the popup asks');
  // A fresh background (Chromium restarts its worker) still knows the refusal.
  const fresh = boot({ session });
  assert.equal((await fresh.call({ type: 'tb:capture-limits' }, POPUP)).hits.length, 1);
});

test('labels: a capture never fails on emoji or format characters (cleaned, invisible dropped); the popup refuses an invisible name', async () => {
  const { call, hostLog } = boot({ hostReply: (m) => (m.cmd === 'update' ? { token: { id: m.token_id, label: m.label } } : defaultReply(m)) });
  const sender = { id: EXT_ID, url: 'https://www.tbank.ru/invest/settings/', origin: 'https://www.tbank.ru', tab: { id: 7 }, frameId: 0 };
  const family = 'Семья \u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
  const r = await call({ type: 'tb:capture', secret: FIXTURE_TOKEN, label: 'T-Invest · счёт «\u202e' + family + '\u200b»', scope: { all_accounts: false, account_name: '\u2066' + family } }, sender);
  assert.equal(r.ok, true);
  let store = hostLog.filter((m) => m.cmd === 'store').at(-1);
  assert.equal(store.label, 'T-Invest · счёт «' + family + '»');
  assert.equal(store.scope.account_name, family);
  const inv = await call({ type: 'tb:capture', secret: FIXTURE_TOKEN.slice(0, -1) + 'Z', label: '\u200b\u200d', scope: { all_accounts: false, account_name: '\ufeff' } }, sender);
  assert.equal(inv.ok, true, 'an invisible label or account name is dropped, the token is still stored');
  store = hostLog.filter((m) => m.cmd === 'store').at(-1);
  assert.equal(store.label, undefined, 'no label: the host names it');
  assert.equal(store.scope.account_name, '');
  const before = hostLog.length;
  for (const bad of ['\u200b', ' \u00a0 ', '\u0301']) {
    const u = await call({ type: 'tb:update', token_id: 'tok_a', label: bad }, POPUP);
    assert.equal(u.ok, false);
    assert.equal(u.error.code, 'bad_label');
    assert.match(u.error.message, /invisible characters: type a visible name/);
  }
  assert.equal(hostLog.length, before, 'refused before the host');
  const ok = await call({ type: 'tb:update', token_id: 'tok_a', label: '\u202eРобот 🤖\u200b' }, POPUP);
  assert.equal(ok.ok, true);
  assert.equal(hostLog.at(-1).label, 'Робот 🤖');
});

test('hello passes the host\'s API overrides to the popup in the documented shape only', async () => {
  const ov = [{ setting: 'TOKENBRIDGE_TINVEST_URL', value: 'http://127.0.0.1:4123/prod/rest', reason: 'accepted: a loopback address', refused: false, extra: 'x' },
    { setting: 'api_overrides.tinvest_url', value: 'https://evil.example/', reason: 'refused: not an allowed host', refused: true }];
  const { call } = boot({ hostReply: (m) => (m.cmd === 'hello' ? { protocol: 1, version: 't', keyring: 'ok', overrides: ov } : defaultReply(m)) });
  const r = await call({ type: 'tb:hello' }, POPUP);
  assert.deepEqual(JSON.parse(JSON.stringify(r.overrides)), ov.map(({ setting, value, reason, refused }) => ({ setting, value, reason, refused })));
  const none = await boot().call({ type: 'tb:hello' }, POPUP);
  assert.deepEqual(JSON.parse(JSON.stringify(none.overrides)), [], 'an older host without overrides: none');
});

test('capture box metadata: an upstream verdict carries its failure code and the host\'s message (certificate)', async () => {
  const { call } = boot({ hostReply: (m) => (m.cmd === 'validate'
    ? { token: { id: m.token_id, validation: { result: 'upstream', code: 'certificate', message: 'invest-public-api.tbank.ru: certificate signed by unknown authority "Russian Trusted Sub CA"', last_failure: { at: 'x', code: 'certificate', message: 'm' } } } }
    : defaultReply(m)) });
  const sender = { id: EXT_ID, url: 'https://www.tbank.ru/invest/settings/', origin: 'https://www.tbank.ru', tab: { id: 7 }, frameId: 0 };
  await call({ type: 'tb:capture', secret: FIXTURE_TOKEN }, sender);
  const r = await call({ type: 'tb:validate', token_id: 'tok_new' }, sender);
  assert.equal(r.ok, true);
  assert.deepEqual(JSON.parse(JSON.stringify(r.token.validation)), { result: 'upstream', accounts: 0, code: 'certificate', message: 'invest-public-api.tbank.ru: certificate signed by unknown authority "Russian Trusted Sub CA"' });
});

// ---- clipboard: cleared after 30 s only if it still holds the token; survives a Firefox event-page unload
function firefoxClipboard() {
  const clip = { text: '' };
  const navigator = { clipboard: { writeText: async (t) => { clip.text = String(t); }, readText: async () => clip.text } };
  const mem = {};
  const session = {
    set: async (o) => { Object.assign(mem, JSON.parse(JSON.stringify(o))); },
    get: async (k) => (k in mem ? { [k]: mem[k] } : {}),
    remove: async (k) => { delete mem[k]; },
  };
  const alarms = { created: [], listeners: [], create: async (n, i) => { alarms.created.push({ n, i }); }, clear: async () => true,
    onAlarm: { addListener: (f) => alarms.listeners.push(f) } };
  return { clip, navigator, session, alarms, mem };
}
test('clipboard (Firefox path): copied, then cleared by the alarm while it still holds the token; only a digest is kept', async () => {
  const f = firefoxClipboard();
  const { call, bg } = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true });
  const r = await call({ type: 'tb:copy', token_id: 'tok_a' }, POPUP);
  assert.equal(r.ok, true);
  same(f.clip.text, FIXTURE_TOKEN, 'the token is on the clipboard');
  assert.equal(f.alarms.created.length, 1, 'an alarm wakes the event page for the clear');
  assert.ok(!JSON.stringify(f.mem).includes(FIXTURE_TOKEN.slice(2, 30)), 'session storage holds no form of the token');
  assert.match(f.mem.clipboardClear.digest, /^[0-9a-f]{64}$/);
  f.mem.clipboardClear.due = Date.now() - 1; // as if 30 s passed
  await bg.clearIfStill.call(null); // memory copy is still due in 30 s: it must not clear early
  same(f.clip.text, FIXTURE_TOKEN, 'not cleared before it is due');
});

test('clipboard (Firefox path): after the event page was unloaded, the alarm clears a clipboard still holding the token', async () => {
  const f = firefoxClipboard();
  const first = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true });
  await first.call({ type: 'tb:copy', token_id: 'tok_a' }, POPUP);
  f.mem.clipboardClear.due = Date.now() - 1; // 30 s later…
  const second = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true }); // …in a fresh event page
  await f.alarms.listeners.at(-1)({ name: 'tb-clipboard-clear' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.clip.text, '', 'cleared');
  assert.equal(f.mem.clipboardClear, undefined, 'nothing pending any more');
  assert.ok(second);
});

test('clipboard (Firefox path): something else copied meanwhile is left alone', async () => {
  const f = firefoxClipboard();
  const { call } = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true });
  await call({ type: 'tb:copy', token_id: 'tok_a' }, POPUP);
  f.clip.text = 'the user copied this later';
  f.mem.clipboardClear.due = Date.now() - 1;
  const fresh = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true });
  await fresh.bg.clearIfStill();
  assert.equal(f.clip.text, 'the user copied this later');
});

// ---- clipboard, Chromium path: the real offscreen/offscreen.js in its own context, over a private port pair
function portPair() {
  const mk = () => ({ msg: [], disc: [], peer: null, name: 'tb-offscreen',
    onMessage: { addListener(f) { this.owner.msg.push(f); }, removeListener(f) { const l = this.owner.msg; if (l.includes(f)) l.splice(l.indexOf(f), 1); } },
    onDisconnect: { addListener(f) { this.owner.disc.push(f); }, removeListener(f) { const l = this.owner.disc; if (l.includes(f)) l.splice(l.indexOf(f), 1); } },
    postMessage(m) { const c = JSON.parse(JSON.stringify(m)); setImmediate(() => { for (const f of [...this.peer.msg]) f(c); }); },
    disconnect() { setImmediate(() => { for (const f of [...this.peer.disc]) f(this.peer); }); } });
  const a = mk(); const b = mk();
  for (const p of [a, b]) { p.onMessage.owner = p; p.onDisconnect.owner = p; }
  a.peer = b; b.peer = a;
  return [a, b];
}
function chromiumClipboard({ accepts = true, closes = false } = {}) {
  const state = { clip: '', posted: [] };
  const env = { connect: null };
  const offscreen = {
    hasDocument: async () => false,
    closeDocument: async () => {},
    createDocument: async ({ url }) => {
      assert.equal(url, 'offscreen/offscreen.html');
      const [mine, theirs] = portPair();
      theirs.sender = { id: EXT_ID, url: 'chrome-extension://' + EXT_ID + '/offscreen/offscreen.html' };
      const handlers = new Set();
      const document = {
        addEventListener: (_, h) => handlers.add(h),
        removeEventListener: (_, h) => handlers.delete(h),
        execCommand(cmd) {
          if (cmd !== 'copy' || !accepts) return false;
          const ev = { clipboardData: { setData: (_, v) => { state.clip = v; } }, preventDefault() {} };
          for (const h of handlers) h(ev);
          return true;
        },
      };
      const realPost = mine.postMessage;
      mine.postMessage = function (m) { state.posted.push(m); if (closes) { this.disconnect(); return; } realPost.call(this, m); };
      const octx = { chrome: { runtime: { connect: () => mine } }, document, crypto: webcrypto, TextEncoder, console,
        setTimeout: (f, ms) => { const t = setTimeout(f, ms); t.unref(); return t; }, clearTimeout };
      octx.globalThis = octx;
      vm.createContext(octx);
      for (const f of ['lib/base.js', 'lib/token.js', 'offscreen/offscreen.js']) vm.runInContext(read(f), octx, { filename: f });
      for (const f of env.connect) f(theirs);
    },
  };
  return { state, env, extra: () => ({ offscreen }) };
}
for (const [name, opts, want] of [
  ['the browser takes the write: copied', { accepts: true }, { ok: true }],
  ['the browser refuses the write: clipboard_failed, not a silent success', { accepts: false }, { ok: false, code: 'clipboard_failed', empty: true }],
  ['the helper closes before answering: clipboard_failed (unconfirmed is not done)', { closes: true }, { ok: false, code: 'clipboard_failed' }],
]) {
  test('clipboard (Chromium path): ' + name, async () => {
    const c = chromiumClipboard(opts);
    const { call, listeners } = boot({ extra: c.extra, unrefTimers: true });
    c.env.connect = listeners.connect;
    const r = await call({ type: 'tb:copy', token_id: 'tok_a' }, POPUP);
    assert.equal(r.ok, want.ok, JSON.stringify(r));
    if (want.ok) {
      same(c.state.clip, FIXTURE_TOKEN, 'the token is on the clipboard');
      assert.equal(c.state.posted.at(-1).ok, true);
    } else {
      assert.equal(r.error.code, want.code);
      if (want.empty) assert.equal(c.state.clip, '', 'nothing was copied');
      assert.ok(!JSON.stringify(r).includes(FIXTURE_TOKEN.slice(2, 30)), 'the error carries no form of the token');
    }
  });
}

test('copy replies carry no value: only ok and clear_after_s (and expires_at for MOEX)', async () => {
  const f = firefoxClipboard();
  const ACCESS = 'eyJmoexAccessTokenForTestsOnly.abc';
  const hostReply = (m) => (m.cmd === 'moex_token' ? { access_token: ACCESS, expires_at: '2026-12-01T10:00:00Z' } : defaultReply(m));
  const { call } = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true, hostReply });
  const r = await call({ type: 'tb:copy', token_id: 'tok_a' }, POPUP);
  assert.deepEqual(Object.keys(r).sort(), ['clear_after_s', 'ok']);
  assert.equal(r.clear_after_s, 30);
  const m = await call({ type: 'tb:moex-copy', name: 'prod' }, POPUP);
  assert.deepEqual(Object.keys(m).sort(), ['clear_after_s', 'expires_at', 'ok']);
  same(f.clip.text, ACCESS, 'the MOEX access token is on the clipboard');
});

test('token length: 512 characters pass to the host, longer is too_large before the host', async () => {
  const { call, hostLog } = boot();
  const cases = [
    ['512 characters', 't.' + 'A'.repeat(510), true, null],
    ['513 characters', 't.' + 'A'.repeat(511), false, 'too_large'],
    ['not a token', 'hello', false, 'bad_request'],
  ];
  for (const [name, secret, ok, code] of cases) {
    const r = await call({ type: 'tb:store', secret }, POPUP);
    assert.equal(r.ok, ok, name);
    if (code) assert.equal(r.error.code, code, name);
  }
  assert.equal(hostLog.filter((m) => m.cmd === 'store').length, 1, 'only the valid one reached the host');
});

// ---------------------------------------------------------------- optional fill rules' sites (background/sites.js)
const SNOWBALL = 'https://snowball-income.com/portfolio-sync-settings';
function fakeSites(grantedNow) {
  const state = { granted: new Set(grantedNow || []), scripts: [], removed: [] };
  const extra = () => ({
    permissions: {
      contains: async (p) => p.origins.every((o) => state.granted.has(o)),
      remove: async (p) => { for (const o of p.origins) state.granted.delete(o); state.removed.push(...p.origins); return true; },
      onAdded: { addListener() {} }, onRemoved: { addListener() {} },
    },
    scripting: {
      getRegisteredContentScripts: async () => state.scripts.map((x) => ({ id: x.id })),
      registerContentScripts: async (list) => { for (const x of list) { assert.ok(!state.scripts.some((y) => y.id === x.id), 'registered twice'); state.scripts.push(x); } },
      unregisterContentScripts: async ({ ids }) => { state.scripts = state.scripts.filter((x) => !ids.includes(x.id)); },
    },
  });
  return { state, extra };
}
// The host's fill allowlist, as the fake host keeps it (per test: the replies are made from this set).
function fakeAllowlist() {
  const added = new Set();
  return (m) => {
    if (m.cmd === 'allow_fill_origin') added.add(m.origin);
    if (m.cmd === 'remove_fill_origin') added.delete(m.origin);
    if (['allow_fill_origin', 'remove_fill_origin', 'list_fill_origins'].includes(m.cmd)) return { origin: m.origin, builtin: ['https://logos-up.com'], added: [...added] };
    return defaultReply(m);
  };
}

test('optional site: its page is no sender until the user turned it on; then fill requests go to the host with its origin', async () => {
  const off = fakeSites();
  const a = boot({ extra: off.extra, hostReply: fakeAllowlist() });
  const r = await a.call({ type: 'tb:fill-candidates' }, tabSender(SNOWBALL));
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'not_allowed');
  assert.equal(a.hostLog.filter((m) => m.cmd === 'list').length, 0, 'the host was not asked');
  const on = fakeSites(['https://snowball-income.com/*']);
  const b = boot({ extra: on.extra, hostReply: fakeAllowlist() });
  const g = await b.call({ type: 'tb:fill-secret', token_id: 'tok_a' }, tabSender(SNOWBALL));
  assert.equal(g.ok, true, JSON.stringify(g.error));
  assert.equal(b.hostLog.find((m) => m.cmd === 'get').origin, 'https://snowball-income.com');
  for (const url of ['https://snowball-income.com/portfolio', 'https://snowball-income.com.evil.test/portfolio-sync-settings', 'https://www.snowball-income.com/portfolio-sync-settings']) {
    const x = await b.call({ type: 'tb:fill-candidates' }, tabSender(url));
    assert.equal(x.error && x.error.code, 'not_allowed', url);
  }
});

test('optional site: the popup turns it on (host allowlist + registered script, the manifest\'s fill files) and off; a page cannot', async () => {
  const f = fakeSites();
  const a = boot({ extra: f.extra, hostReply: fakeAllowlist() });
  const popup = { id: EXT_ID, url: 'chrome-extension://' + EXT_ID + '/popup/popup.html' };
  const refused = await a.call({ type: 'tb:site-enable', rule_id: 'snowball' }, popup);
  assert.equal(refused.error.code, 'site_permission', 'no browser permission: nothing is allowed');
  assert.equal(a.hostLog.filter((m) => m.cmd === 'allow_fill_origin').length, 0);
  f.state.granted.add('https://snowball-income.com/*'); // the user said yes in the browser's prompt
  const half = (await a.call({ type: 'tb:sites' }, popup)).sites.find((s) => s.id === 'snowball');
  assert.deepEqual([half.granted, half.allowed, half.enabled], [true, false, false], 'granted by the browser alone is not on');
  for (const sender of [tabSender('https://logos-up.com/profile/'), tabSender(SNOWBALL), tabSender('https://www.tbank.ru/invest/settings/')]) {
    const r = await a.call({ type: 'tb:site-enable', rule_id: 'snowball' }, sender);
    assert.equal(r.error && r.error.code, 'not_allowed', 'a content script cannot turn a site on: ' + sender.url);
  }
  assert.equal(a.hostLog.filter((m) => m.cmd === 'allow_fill_origin').length, 0);
  const r = await a.call({ type: 'tb:site-enable', rule_id: 'snowball' }, popup);
  assert.equal(r.ok, true, JSON.stringify(r.error));
  assert.deepEqual(a.hostLog.filter((m) => m.cmd === 'allow_fill_origin').map((m) => m.origin), ['https://snowball-income.com']);
  assert.equal(f.state.scripts.length, 1);
  const sc = f.state.scripts[0];
  assert.deepEqual([...sc.matches], ['https://snowball-income.com/portfolio-sync-settings*']);
  assert.equal(sc.allFrames, false);
  const logosJs = JSON.parse(read('manifest.json')).content_scripts.find((c) => c.js.includes('content/logos.js')).js;
  assert.deepEqual([...sc.js], logosJs);
  assert.equal(r.sites.find((s) => s.id === 'snowball').enabled, true);
  const listed = await a.call({ type: 'tb:sites' }, popup);
  assert.deepEqual(JSON.parse(JSON.stringify(listed.sites.find((s) => s.id === 'snowball'))),
    { id: 'snowball', name: 'Snowball Income', origins: ['https://snowball-income.com'], permissions: { origins: ['https://snowball-income.com/*'] }, prefers: 'readonly', granted: true, allowed: true, enabled: true });
  const bad = await a.call({ type: 'tb:site-enable', rule_id: 'logos' }, popup);
  assert.equal(bad.error.code, 'bad_request', 'built-in rules are not switched');
  const off = await a.call({ type: 'tb:site-disable', rule_id: 'snowball' }, popup);
  assert.equal(off.ok, true);
  assert.deepEqual(f.state.removed, ['https://snowball-income.com/*']);
  assert.deepEqual(a.hostLog.filter((m) => m.cmd === 'remove_fill_origin').map((m) => m.origin), ['https://snowball-income.com']);
  assert.equal(f.state.scripts.length, 0, 'unregistered');
  assert.equal(off.sites.find((s) => s.id === 'snowball').enabled, false);
});

/** A host whose `list` answers pages of `size` over `n` tokens (host/PROTOCOL.md), optionally tampered with. */
function pagingHost(n, size, tamper = (p) => p) {
  const all = Array.from({ length: n }, (_, i) => ({ id: 'tok_' + String(i).padStart(4, '0'), provider: 'tinvest', kind: 'full_access', label: 'T' + i, masked: 't.TB…3456' }));
  return (m) => {
    if (m.cmd !== 'list') return defaultReply(m);
    const offset = m.offset === undefined ? 0 : m.offset;
    const page = { tokens: all.slice(offset, offset + size) };
    if (offset + size < n) page.next_offset = offset + size;
    return tamper(page, offset);
  };
}

test('list: every page is read, each token once; offset only past the first page', async () => {
  const cases = [
    ['one page', 3, 40, [undefined]],
    ['exactly one full page', 40, 40, [undefined]],
    ['three pages', 95, 40, [undefined, 40, 80]],
    ['1000 tokens', 1000, 40, [undefined, ...Array.from({ length: 24 }, (_, i) => 40 * (i + 1))]],
  ];
  for (const [name, n, size, offsets] of cases) {
    for (const [type, sender] of [['tb:list', POPUP], ['tb:fill-candidates', tabSender(LOGOS)]]) {
      const { call, hostLog } = boot({ hostReply: pagingHost(n, size) });
      const r = await call({ type }, sender);
      assert.equal(r.ok, true, name + ' ' + type);
      assert.deepEqual(Array.from(r.tokens, (t) => t.id), Array.from({ length: n }, (_, i) => 'tok_' + String(i).padStart(4, '0')), name + ' ' + type);
      const lists = hostLog.filter((m) => m.cmd === 'list');
      assert.deepEqual(lists.map((m) => m.offset), offsets, name + ' ' + type);
      if (type === 'tb:fill-candidates') assert.ok(lists.every((m) => m.provider === 'tinvest'), name);
    }
  }
});

test('list: a token shifted between pages is kept once; a next_offset that does not move forward is host_protocol', async () => {
  // A token deleted meanwhile: page 2 repeats page 1's last token.
  const shifted = pagingHost(50, 40, (p, offset) => (offset === 40 ? { tokens: [{ id: 'tok_0039', provider: 'tinvest' }, ...p.tokens] } : p));
  const { call } = boot({ hostReply: shifted });
  let r = await call({ type: 'tb:list' }, POPUP);
  assert.equal(r.ok, true);
  assert.equal(r.tokens.length, 50);
  assert.equal(new Set(r.tokens.map((t) => t.id)).size, 50);
  for (const [name, bad] of [['same offset', 0], ['backwards', -5], ['not a number', '40'], ['fractional', 40.5]]) {
    const stuck = pagingHost(50, 40, (p) => ({ ...p, next_offset: bad }));
    const b = boot({ hostReply: stuck });
    r = await b.call({ type: 'tb:list' }, POPUP);
    assert.equal(r.ok, false, name);
    assert.equal(r.error.code, 'host_protocol', name);
    assert.equal(b.hostLog.filter((m) => m.cmd === 'list').length, 1, name);
  }
});

// ---------------------------------------------------------------- user-driven fill (background/userfill.js + content/userfill.js)
const TRACKER = 'https://tracker.example-invest.test/settings';
const RO = 't.TBreadOnlyFixture_' + 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A real page (jsdom) in the active tab; scripting.executeScript runs the files and funcs in it. */
function userFillEnv({ url = TRACKER, focus = 'api', tokens, onGet, locale } = {}) {
  const w = page('tracker.html', url);
  if (focus) w.document.getElementById(focus).focus();
  const allowlist = new Set();
  const log = { injected: [], opened: 0 };
  const tab = { id: 11, windowId: 1, url };
  const extra = () => ({
    tabs: { query: async () => [tab], get: async () => tab, sendMessage: async () => ({}) },
    scripting: {
      executeScript: async ({ target, files, func, args }) => {
        assert.deepEqual([...target.frameIds], [0], 'top frame only');
        if (files) { log.injected.push(...files); for (const f of files) w.eval(read(f)); return [{}]; }
        return [{ result: JSON.parse(JSON.stringify(w.eval('(' + func.toString() + ')').apply(null, args))) }];
      },
    },
    action: { openPopup: async () => { log.opened++; } },
    ...(locale ? { i18n: i18n(locale) } : {}),
  });
  const list = tokens || [
    { id: 'tok_full', provider: 'tinvest', label: 'Полный', kind: 'full_access', created_at: '2026-11-20T00:00:00Z', validation: { result: 'full_access' } },
    { id: 'tok_ro', provider: 'tinvest', label: 'Чтение', kind: 'readonly', created_at: '2026-11-01T00:00:00Z', validation: { result: 'readonly' } },
  ];
  const hostReply = (m) => {
    if (m.cmd === 'list_fill_origins') return { builtin: ['https://logos-up.com'], added: [...allowlist] };
    if (m.cmd === 'allow_fill_origin') { allowlist.add(m.origin); return { origin: m.origin, builtin: [], added: [...allowlist] }; }
    if (m.cmd === 'list') return { tokens: list };
    if (m.cmd === 'get') {
      if (!allowlist.has(m.origin)) return { error: { code: 'target_denied', message: 'not allowed' } };
      if (onGet) onGet(w);
      return { secret: m.token_id === 'tok_ro' ? RO : FIXTURE_TOKEN, token: { id: m.token_id } };
    }
    if (m.cmd === 'record_use') return { token: { id: m.token_id } };
    return defaultReply(m);
  };
  const b = boot({ extra, hostReply });
  return { ...b, w, d: w.document, allowlist, log, tab };
}
test('user fill: the first fill into an origin asks; after «allow» the chosen field gets the token (read-only preferred), the host hears the tab\'s origin', async () => {
  const e = userFillEnv();
  const r = await e.call({ type: 'tb:user-fill' }, POPUP);
  assert.equal(r.ok, false);
  assert.equal(r.ask, 'origin');
  assert.equal(r.origin, 'https://tracker.example-invest.test');
  assert.equal(e.hostLog.filter((m) => m.cmd === 'get').length, 0, 'no secret before the answer');
  assert.equal(e.d.getElementById('api').value, '');
  const a = await e.call({ type: 'tb:user-fill-answer', tab_id: null, yes: true }, POPUP);
  assert.equal(a.ok, true, JSON.stringify(a.error));
  assert.deepEqual(e.hostLog.filter((m) => m.cmd === 'allow_fill_origin').map((m) => m.origin), ['https://tracker.example-invest.test']);
  const get = e.hostLog.find((m) => m.cmd === 'get');
  assert.equal(get.origin, 'https://tracker.example-invest.test');
  assert.equal(get.token_id, 'tok_ro', 'a site without a rule gets a read-only token when there is one');
  same(e.d.getElementById('api').value, RO);
  for (const id of ['user', 'pass', 'note', 'ro']) assert.equal(e.d.getElementById(id).value, '', id);
  assert.equal(e.hostLog.filter((m) => m.cmd === 'record_use').length, 1, 'the fill is recorded as a use');
  assert.ok(!JSON.stringify(a).includes(RO), 'the reply to the popup carries no secret');
  // Allowed now: the next fill does not ask.
  e.d.getElementById('api').value = '';
  e.d.getElementById('note').focus();
  const again = await e.call({ type: 'tb:user-fill', token_id: 'tok_full' }, POPUP);
  assert.equal(again.ask, 'full_access', 'a full-access token where read-only would do: asked first, not the origin again');
  assert.equal(e.d.getElementById('note').value, '');
  const full = await e.call({ type: 'tb:user-fill', token_id: 'tok_full', full_ok: true }, POPUP);
  assert.equal(full.ok, true, JSON.stringify(full.error));
  same(e.d.getElementById('note').value, FIXTURE_TOKEN);
});

test('user fill refuses: a login form\'s password, nothing focused, read-only field, http page, a field replaced meanwhile', async () => {
  const cases = [
    ['login password', { focus: 'pass' }, 'user_fill_field'],
    ['nothing chosen', { focus: null }, 'user_fill_field'],
    ['read-only field', { focus: 'ro' }, 'user_fill_field'],
    ['http page', { url: 'http://tracker.example-invest.test/settings' }, 'user_fill_origin'],
    ['page with a port', { url: 'https://tracker.example-invest.test:8443/settings' }, 'user_fill_origin'],
    ['field replaced while the secret was fetched', { onGet: (w) => { const f = w.document.getElementById('api'); f.replaceWith(f.cloneNode()); } }, 'user_fill_field'],
  ];
  for (const [name, opts, code] of cases) {
    const e = userFillEnv(opts);
    e.allowlist.add(new URL(opts.url || TRACKER).origin);
    const r = await e.call({ type: 'tb:user-fill' }, POPUP);
    assert.equal(r.ok, false, name);
    assert.equal(r.error && r.error.code, code, name + ': ' + JSON.stringify(r.error));
    const values = [...e.d.querySelectorAll('input')].map((i) => i.value).filter(Boolean);
    assert.deepEqual(values, [], name + ': nothing written');
  }
});

test('user fill refusals explain themselves in the browser\'s language (the detail too, not English inside Russian)', async () => {
  const invalid = [{ id: 'tok_bad', provider: 'tinvest', kind: 'full_access', validation: { result: 'invalid' } },
    { id: 'tok_sb', provider: 'tinvest', kind: 'sandbox', validation: { result: 'sandbox' } }];
  const cases = [
    ['ru', { focus: 'pass' }, 'user_fill_field', 'это поле пароля формы входа: туда токены не вставляются'],
    ['en', { focus: 'pass' }, 'user_fill_field', 'this is the password field of a login form: tokens never go there'],
    ['ru', { focus: null }, 'user_fill_field', 'Поле не подходит: поле не выбрано. Щёлкните в поле'],
    ['ru', { tokens: invalid }, 'user_fill_token', 'ни один сохранённый токен Т-Инвестиций не подходит (недействителен, песочница)'],
    ['en', { tokens: invalid }, 'user_fill_token', 'no stored T-Invest token fits (invalid, sandbox)'],
    ['ru', { tokens: [] }, 'user_fill_token', 'ни один сохранённый токен Т-Инвестиций не подходит (ни одного не сохранено)'],
  ];
  for (const [locale, opts, code, detail] of cases) {
    const e = userFillEnv({ ...opts, locale });
    e.allowlist.add(new URL(TRACKER).origin);
    const r = await e.call({ type: 'tb:user-fill' }, POPUP);
    assert.equal(r.error && r.error.code, code, JSON.stringify(r));
    assert.ok(r.error.message.includes(detail), `${locale} ${code}: ${r.error.message}`);
    if (locale === 'ru') assert.doesNotMatch(r.error.message.replaceAll('tokenbridge', ''), /[A-Za-z]{3,}/, 'no English words inside the Russian message: ' + r.error.message);
  }
});

test('user fill: content scripts cannot answer, list or change the allowlist; a menu click in a frame is refused', async () => {
  const e = userFillEnv();
  for (const type of ['tb:user-fill', 'tb:user-fill-answer', 'tb:fill-origins', 'tb:fill-origin-remove', 'tb:user-fill-waiting']) {
    for (const sender of [tabSender('https://logos-up.com/profile/'), tabSender('https://www.tbank.ru/invest/settings/'), tabSender(TRACKER)]) {
      const r = await e.call({ type, tab_id: 11, yes: true, origin: 'https://tracker.example-invest.test' }, sender);
      assert.equal(r.error && r.error.code, 'not_allowed', type + ' from ' + sender.url);
    }
  }
  assert.equal(e.hostLog.filter((m) => /fill_origin/.test(m.cmd)).length, 0, 'the host was never asked');
  const f = await e.call({ type: 'tb:user-fill-answer', tab_id: 11, yes: true }, POPUP);
  assert.equal(f.error.code, 'user_fill_origin', 'no answer without a question the user was asked');
  assert.equal(e.allowlist.size, 0);
});

test('context menu: a click in the page asks in the extension\'s UI, the answer fills the right-clicked field; a click in a frame only explains', async () => {
  const e = userFillEnv();
  const UF = e.bg.userFill;
  const host = (c, f) => e.bg.hostRequest(c, f);
  await UF.onMenu(host, { menuItemId: UF.MENU_ID, frameId: 0 }, e.tab);
  assert.equal(e.log.opened, 1, 'the popup opens with the question');
  const w = await e.call({ type: 'tb:user-fill-waiting' }, POPUP);
  assert.deepEqual(JSON.parse(JSON.stringify(w.waiting)), { tab_id: 11, origin: 'https://tracker.example-invest.test', ask: 'origin' });
  const a = await e.call({ type: 'tb:user-fill-answer', tab_id: 11, yes: true }, POPUP);
  assert.equal(a.ok, true, JSON.stringify(a.error));
  same(e.d.getElementById('api').value, RO);
  const e2 = userFillEnv();
  await e2.bg.userFill.onMenu((c, f) => e2.bg.hostRequest(c, f), { menuItemId: e2.bg.userFill.MENU_ID, frameId: 3 }, e2.tab);
  const w2 = await e2.call({ type: 'tb:user-fill-waiting' }, POPUP);
  assert.equal(w2.waiting.error.code, 'user_fill_field');
  assert.equal(e2.hostLog.filter((m) => m.cmd === 'get').length, 0);
});

// ---------------------------------------------------------------- the last user action per broker tab
// (a re-login that fully reloads the bank page: the click was in the previous page load)
import { page as capturePage, load as captureLoad, CAPTURE_LIBS } from './helpers.js';

test('user actions: kept per tab and bank origin, decided from sender only; other tabs, origins and senders get nothing', async () => {
  const session = memSession();
  const { call, hostLog } = boot({ session });
  const tbank = tabSender('https://www.tbank.ru/invest/settings/tokens/');
  // The message's own fields are ignored: the time is the background's, the key the sender's.
  assert.equal(JSON.stringify(await call({ type: 'tb:user-action', at: 0, tab_id: 8, origin: 'https://www.tinkoff.ru' }, tbank)), '{"ok":true}');
  const mine = await call({ type: 'tb:last-user-action', tab_id: 8 }, tabSender('https://www.tbank.ru/invest/settings/'));
  assert.equal(mine.ok, true);
  assert.ok(typeof mine.age_ms === 'number' && mine.age_ms >= 0 && mine.age_ms < 2000, 'the same tab and origin, a new page load: ' + mine.age_ms);
  const cases = [
    ['another tab of the same origin', tabSender('https://www.tbank.ru/invest/settings/', { tab: { id: 8 } }), null],
    ['the same tab on the other bank origin', tabSender('https://www.tinkoff.ru/invest/settings/'), null],
  ];
  for (const [name, sender, want] of cases) {
    const r = await call({ type: 'tb:last-user-action' }, sender);
    assert.equal(r.ok, true, name);
    assert.equal(r.age_ms, want, name);
  }
  // Senders that are no bank page: refused, both ways, and they record nothing.
  const refused = [
    ['a look-alike bank origin', tabSender('https://www.tbank.ru.evil.test/invest/settings/')],
    ['the bank origin off the settings path (its login page)', tabSender('https://www.tbank.ru/login/')],
    ['a sub-frame of the bank page', tabSender('https://www.tbank.ru/invest/settings/', { frameId: 1 })],
    ['http', tabSender('http://www.tbank.ru/invest/settings/')],
    ['Logos', tabSender(LOGOS)],
    ['the popup', POPUP],
    ['another extension', { ...tbank, id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
  ];
  for (const [name, sender] of refused) {
    for (const type of ['tb:user-action', 'tb:last-user-action']) {
      const r = await call({ type }, sender);
      assert.equal(r.ok, false, name + ' ' + type);
      assert.equal(r.error.code, 'not_allowed', name + ' ' + type);
      assert.equal(r.age_ms, undefined, name);
    }
  }
  assert.equal((await call({ type: 'tb:last-user-action' }, tabSender('https://www.tinkoff.ru/invest/settings/'))).age_ms, null, 'the refused senders recorded nothing');
  assert.equal(hostLog.length, 0, 'the host is not involved');
  // storage.session holds a time per tab and origin, nothing else.
  const kept = session.mem.userActions;
  assert.deepEqual(Object.keys(kept), ['7 https://www.tbank.ru'], 'only the bank tab that acted');
  assert.equal(typeof kept['7 https://www.tbank.ru'], 'number');
});

test('user actions survive a background restart (storage.session) and expire after the cross-load window', async () => {
  const X = captureLoad(capturePage('<p></p>', 'https://www.tbank.ru/invest/settings/'), CAPTURE_LIBS).captureFlow.POLICY.crossLoadWindowMs;
  const session = memSession();
  const first = boot({ session });
  const tbank = tabSender('https://www.tbank.ru/invest/settings/');
  await first.call({ type: 'tb:user-action' }, tbank);
  const fresh = boot({ session }); // Chromium restarted its worker / Firefox reloaded its event page
  const r = await fresh.call({ type: 'tb:last-user-action' }, tbank);
  assert.ok(typeof r.age_ms === 'number' && r.age_ms < 2000, 'known after the restart');
  // An action kept exactly as long as the content script's cross-load window, not longer.
  const now = Date.now();
  session.mem.userActions = { '7 https://www.tbank.ru': now - X + 3000, '8 https://www.tbank.ru': now - X - 1000, '9 https://www.tbank.ru': 'soon' };
  const later = boot({ session });
  const within = await later.call({ type: 'tb:last-user-action' }, tbank);
  assert.ok(within.age_ms >= X - 3000 && within.age_ms <= X, 'still inside the window: ' + within.age_ms);
  assert.equal((await later.call({ type: 'tb:last-user-action' }, tabSender('https://www.tbank.ru/invest/settings/', { tab: { id: 8 } }))).age_ms, null, 'older than the window: gone');
  assert.equal((await later.call({ type: 'tb:last-user-action' }, tabSender('https://www.tbank.ru/invest/settings/', { tab: { id: 9 } }))).age_ms, null, 'a stored value that is no time is ignored');
  // Without storage.session (memory only) it still works within one background life.
  const mem = boot();
  await mem.call({ type: 'tb:user-action' }, tbank);
  assert.equal(typeof (await mem.call({ type: 'tb:last-user-action' }, tbank)).age_ms, 'number');
});

test('MOEX copy: a reused-refresh-token warning from the host reaches the popup, the token does not', async () => {
  const f = firefoxClipboard();
  const ACCESS = 'eyJmoexAccessTokenForTestsOnly.warn';
  const WARNING = 'MOEX reported the saved refresh token of profile "prod" as already used';
  const hostReply = (m) => (m.cmd === 'moex_token' ? { access_token: ACCESS, expires_at: '2026-12-01T10:00:00Z', warning: WARNING } : defaultReply(m));
  const { call } = boot({ navigator: f.navigator, session: f.session, alarms: f.alarms, unrefTimers: true, hostReply });
  const m = await call({ type: 'tb:moex-copy', name: 'prod' }, POPUP);
  assert.deepEqual(Object.keys(m).sort(), ['clear_after_s', 'expires_at', 'ok', 'warning']);
  assert.equal(m.warning, WARNING);
  assert.ok(!JSON.stringify(m).includes(ACCESS), 'the reply never carries the token');
});
