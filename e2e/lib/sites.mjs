// HTTPS server for the replica pages, routed by Host header, plus an HTTP CONNECT proxy
// (Firefox reaches the real host names on port 443 through it). State lives in this process:
// the tests read issued tokens and what each origin received directly from `state`, a channel
// no page and no extension can reach.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITES = join(dirname(fileURLToPath(import.meta.url)), '..', 'sites');

export const BROKER_HOSTS = ['www.tbank.ru', 'www.tinkoff.ru'];
export const LOGOS_HOSTS = ['logos-up.com', 'www.logos-up.com'];
export const LOOKALIKE_HOSTS = ['logos-up.com.evil.test', 'logos-up.net'];
// A look-alike bank: the same pages (and «Токен выпущен»), on an origin the extension must ignore.
export const LOOKALIKE_BROKER_HOSTS = ['www.tbank.ru.evil.test'];
// A third-party consumer with a built-in optional rule (Snowball Income) and its look-alike.
export const SNOWBALL_HOSTS = ['snowball-income.com'];
export const LOOKALIKE_SNOWBALL_HOSTS = ['snowball-income.com.evil.test'];
// A tracker with no rule at all: the user-driven fill (popup / context menu) is the only way in.
export const TRACKER_HOSTS = ['tracker.example-invest.test'];
export const ALL_HOSTS = [...BROKER_HOSTS, ...LOGOS_HOSTS, ...LOOKALIKE_HOSTS, ...LOOKALIKE_BROKER_HOSTS, ...SNOWBALL_HOSTS, ...LOOKALIKE_SNOWBALL_HOSTS, ...TRACKER_HOSTS];

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** A fresh T-Invest-shaped token: "t." + 86 base64url characters. */
export function newToken() {
  return 't.' + randomBytes(66).toString('base64url').slice(0, 86);
}

export async function startSites({ certs, port = 0, tokenFactory = newToken, onIssue } = {}) {
  const salt = randomBytes(8).toString('hex');
  // Class names look generated and change with every server start: detection must not rely on them.
  const cls = (name) => {
    const h = createHash('sha256').update(salt + name).digest('base64url').replace(/[-_]/g, 'x');
    return `${h.slice(0, 1).replace(/[0-9]/, 'k')}${h.slice(1, 6)}_${h.slice(6, 10)}`;
  };
  const mangle = (text) => text.replace(/_c_([A-Za-z0-9]+)_/g, (_, n) => cls(n));
  const file = (rel) => mangle(readFileSync(join(SITES, rel), 'utf8'));

  const state = {
    issued: [],      // {host, token, access, account, at}
    received: [],    // {host, broker, value, at}  (what a Logos-like server got on «Подключить портфель»)
    reports: [],     // {host, items}               (what an attack script saw)
    modes: new Map(), // logos host -> 'attack' | 'attack-click'; broker host -> 'show' (token shown in a field) | 'forge'
    requests: [],    // {host, method, path}
    attackTokenId: null, // a real token id handed to attack scripts
    forgeToken: null,    // the token the bank-page forge script tries to get stored
    brokerSteps: [],     // extra issue steps of the bank replica: 'confirm', 'sms', 'relogin', 'reload' (also ?steps=a,b)
  };

  const send = (res, code, type, body, extra = {}) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  const json = (res, code, obj) => send(res, code, 'application/json; charset=utf-8', JSON.stringify(obj));
  const readBody = (req) => new Promise((resolve, reject) => {
    let size = 0; const chunks = [];
    req.on('data', (c) => { size += c.length; if (size > 65536) { reject(new Error('body too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

  const handler = async (req, res) => {
    const host = String(req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url, `https://${host}`);
    const path = url.pathname;
    state.requests.push({ host, method: req.method, path });
    try {
      if (path === '/favicon.ico') return send(res, 204, 'text/plain', '');
      if (path.startsWith('/static/') && req.method === 'GET') {
        const name = path.slice('/static/'.length);
        if (!/^[a-z]+\.(js|css)$/.test(name)) return send(res, 404, 'text/plain', 'not found');
        return send(res, 200, TYPES[name.slice(name.lastIndexOf('.'))], file(name));
      }
      if (BROKER_HOSTS.includes(host) || LOOKALIKE_BROKER_HOSTS.includes(host)) {
        // /auth/login/: the login page of the 'reload' issue step (broker.js; no tokenbridge script matches it).
        if (req.method === 'GET' && (path === '/invest/settings' || path.startsWith('/invest/settings/') || path === '/auth/login/')) {
          const html = file('broker.html')
            .replaceAll('{{BLOCK_TITLE}}', host === 'www.tinkoff.ru' ? 'Токены Tinkoff Invest API' : 'Токены T-Invest API')
            .replaceAll('{{BRAND}}', host === 'www.tinkoff.ru' ? 'Тинькофф Инвестиции' : 'Т-Инвестиции')
            .replaceAll('{{VARIANT}}', state.modes.get(host) === 'show' ? 'show' : 'copy')
            .replaceAll('{{STEPS}}', (url.searchParams.get('steps') || state.brokerSteps.join(',')).replace(/[^a-z,]/g, ''))
            // "forge": a hostile script; its token goes base64-encoded so the page never shows it as text.
            // "forge-show": the same script also shows its token in a read-only field (found by the DOM scan).
            .replace('{{FORGE}}', ['forge', 'forge-show'].includes(state.modes.get(host)) && state.forgeToken
              ? `<script src="/static/forge.js" data-t="${Buffer.from(state.forgeToken).toString('base64')}"${state.modes.get(host) === 'forge-show' ? ' data-show="1"' : ''}></script>` : '');
          return send(res, 200, TYPES['.html'], html);
        }
        if (req.method === 'POST' && path === '/api/invest/tokens') {
          const body = JSON.parse(await readBody(req) || '{}');
          const access = body.access === 'readonly' ? 'readonly' : 'full_access';
          const account = typeof body.account === 'string' ? body.account.slice(0, 64) : 'all';
          const token = tokenFactory({ access, account, host });
          state.issued.push({ host, token, access, account, at: Date.now() });
          if (onIssue) await onIssue({ host, token, access, account });
          return json(res, 200, { token, access, account });
        }
      }
      if (LOGOS_HOSTS.includes(host) || LOOKALIKE_HOSTS.includes(host)) {
        if (req.method === 'GET' && (path === '/profile' || path.startsWith('/profile/'))) {
          const mode = state.modes.get(host);
          const id = /^[A-Za-z0-9_-]{1,64}$/.test(state.attackTokenId || '') ? ` data-token-id="${state.attackTokenId}"` : '';
          const tag = mode === 'attack' ? `<script src="/static/attack.js"${id}></script>`
            : mode === 'attack-click' ? `<script src="/static/attack.js" data-click="1"${id}></script>` : '';
          // "frame": the profile also embeds the OTHER Logos origin's profile (cross-origin iframe).
          const other = LOGOS_HOSTS.find((h) => h !== host) || LOGOS_HOSTS[0];
          const frame = mode === 'frame' && url.searchParams.get('embedded') !== '1'
            ? `<iframe id="embedded" title="embedded" src="https://${other}/profile/?embedded=1" style="width:900px;height:520px;border:1px solid #999"></iframe>` : '';
          const html = file('logos.html').replace('{{ATTACK}}', tag).replace('{{FRAME}}', frame);
          return send(res, 200, TYPES['.html'], html);
        }
        if (req.method === 'POST' && path === '/api/portfolio') {
          const body = JSON.parse(await readBody(req) || '{}');
          state.received.push({ host, broker: String(body.broker), value: String(body.value ?? ''), at: Date.now() });
          return json(res, 200, { ok: true });
        }
        if (req.method === 'POST' && path === '/__report') {
          const body = JSON.parse(await readBody(req) || '{}');
          state.reports.push({ host, items: Array.isArray(body.items) ? body.items : [] });
          return json(res, 200, { ok: true });
        }
      }
      if (SNOWBALL_HOSTS.includes(host) || LOOKALIKE_SNOWBALL_HOSTS.includes(host) || TRACKER_HOSTS.includes(host)) {
        if (req.method === 'GET' && path === '/portfolio-sync-settings' && !TRACKER_HOSTS.includes(host)) return send(res, 200, TYPES['.html'], file('snowball.html'));
        if (req.method === 'GET' && path === '/settings' && TRACKER_HOSTS.includes(host)) return send(res, 200, TYPES['.html'], file('tracker.html'));
        if (req.method === 'POST' && path === '/api/sync') {
          const body = JSON.parse(await readBody(req) || '{}');
          state.received.push({ host, broker: 'tinkoff', value: String(body.value ?? ''), at: Date.now() });
          return json(res, 200, { ok: true });
        }
      }
      if (path === '/' && req.method === 'GET') {
        const to = BROKER_HOSTS.includes(host) || LOOKALIKE_BROKER_HOSTS.includes(host) ? '/invest/settings/' : '/profile/';
        return send(res, 302, 'text/plain', '', { location: to });
      }
      return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    } catch (err) {
      return send(res, 500, 'text/plain; charset=utf-8', `server error: ${err.message}`);
    }
  };

  const server = https.createServer({ key: certs.key, cert: certs.cert }, handler);
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const httpsPort = server.address().port;

  // CONNECT proxy: any "host:443" tunnel goes to the replica server; anything else is refused,
  // so a browser using it can never reach the internet.
  const proxy = http.createServer((req, res) => send(res, 405, 'text/plain', 'CONNECT only'));
  proxy.on('connect', (req, clientSocket, head) => {
    const [h, p] = String(req.url).split(':');
    if (!ALL_HOSTS.includes(h.toLowerCase()) || p !== '443') {
      clientSocket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(httpsPort, '127.0.0.1', () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(clientSocket); clientSocket.pipe(upstream);
    });
    const end = () => { upstream.destroy(); clientSocket.destroy(); };
    upstream.on('error', end); clientSocket.on('error', end);
  });
  await new Promise((resolve, reject) => proxy.once('error', reject).listen(0, '127.0.0.1', resolve));
  const proxyPort = proxy.address().port;

  const sockets = new Set();
  for (const s of [server, proxy]) s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });

  return {
    port: httpsPort,
    proxyPort,
    state,
    cls,
    setMode(host, mode) { if (mode) state.modes.set(host, mode); else state.modes.delete(host); },
    lastIssued() { return state.issued[state.issued.length - 1]; },
    /** Chromium --host-resolver-rules value sending every replica host to this server. */
    resolverRules() { return ALL_HOSTS.map((h) => `MAP ${h} 127.0.0.1:${httpsPort}`).join(', '); },
    async close() {
      for (const c of sockets) c.destroy();
      await Promise.all([server, proxy].map((s) => new Promise((r) => s.close(() => r()))));
    },
  };
}
