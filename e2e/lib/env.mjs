// The real host binary, the fake T-Invest server, the keyring, and the leak scanners.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTENSION_DIR = process.env.TB_EXTENSION_DIR || join(ROOT, 'extension');
export const TOKENBRIDGE = process.env.TB_TOKENBRIDGE_BIN || join(ROOT, 'bin', 'tokenbridge');
export const TINVEST_FAKE = process.env.TB_TINVEST_FAKE_BIN || join(ROOT, 'bin', 'tinvest-fake');
export const PINNED_CHROMIUM_ID = 'hodkpdeoebfagkfdfjfhcfnbemcgabcj';
/**
 * The ID Chromium gives the unpacked extension in dir: from its manifest's "key", else (a store
 * build, which has none) from its absolute path; both are SHA-256, first 32 hex digits mapped 0-f → a-p.
 */
export function chromiumUnpackedID(dir) {
  let manifest;
  try { manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')); } catch (_) { return PINNED_CHROMIUM_ID; }
  const input = manifest.key ? Buffer.from(manifest.key, 'base64') : realpathSync(dir);
  return [...createHash('sha256').update(input).digest('hex').slice(0, 32)].map((c) => 'abcdefghijklmnop'[parseInt(c, 16)]).join('');
}
export const CHROMIUM_ID = chromiumUnpackedID(EXTENSION_DIR);
export const GECKO_ID = 'tokenbridge@tokenbridge.dev';
export const TOKEN_RE = /t\.[A-Za-z0-9_-]{60,}/;

/** Build bin/tokenbridge and bin/tinvest-fake when missing (scripts/test.sh builds them first). */
export function ensureBinaries() {
  const builds = [
    [TOKENBRIDGE, './host/cmd/tokenbridge'],
    [TINVEST_FAKE, './host/cmd/tinvest-fake'],
  ];
  for (const [out, pkg] of builds) {
    if (existsSync(out)) continue;
    try {
      execFileSync('go', ['build', '-o', out, pkg], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`cannot build ${out} from ${pkg}: ${String(e.stderr || e.message).trim()} (fix the build, or run scripts/test.sh)`);
    }
  }
}

/** Fail with the fix when no unlocked Secret Service is reachable. */
export async function requireKeyring() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run the tests as scripts/with-keyring.sh node --test --test-concurrency=1 e2e/');
  }
  try {
    await run('secret-tool', ['search', '--all', 'service', 'tokenbridge-e2e-probe', 'username', 'none'], { timeout: 5000 });
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error('secret-tool not found: apt-get install libsecret-tools');
    if (e.killed) throw new Error('the Secret Service did not answer in 5 s: start an unlocked gnome-keyring (scripts/with-keyring.sh)');
    // secret-tool exits 1 when nothing matched: that still proves the service answered.
  }
}

/** Run the real CLI. Returns {code, stdout, stderr}; never prints. */
export async function tb(args, env) {
  try {
    const { stdout, stderr } = await run(TOKENBRIDGE, args, { env, timeout: 20000, maxBuffer: 4 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error(`${TOKENBRIDGE} missing: go build -o bin/tokenbridge ./host/cmd/tokenbridge`);
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout || '', stderr: e.stderr || '' };
  }
}

export async function tbOK(args, env) {
  const r = await tb(args, env);
  if (r.code !== 0) throw new Error(`tokenbridge ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** `tokenbridge list --json` -> array of token metadata. */
export async function listTokens(env) {
  const out = JSON.parse(await tbOK(['list', '--json'], env));
  return Array.isArray(out) ? out : (out.tokens || []);
}

/** Hex SHA-256 of a secret; a host fingerprint is a prefix of it (PROTOCOL.md: 12 chars, the host may use more). */
export function sha256hex(secret) {
  return createHash('sha256').update(secret).digest('hex');
}

/** True when the metadata's fingerprint identifies this secret. */
export function sameSecret(meta, secret) {
  const fp = meta && typeof meta.fingerprint === 'string' ? meta.fingerprint : '';
  return fp.length >= 12 && sha256hex(secret).startsWith(fp);
}

/** The secret the keyring holds for key (attributes service=tokenbridge username=key), or null. */
export async function keyringLookup(key) {
  try {
    const { stdout } = await run('secret-tool', ['lookup', 'service', 'tokenbridge', 'username', key], { timeout: 5000 });
    return stdout.replace(/\n$/, '');
  } catch (e) {
    if (e.killed) throw new Error('secret-tool lookup timed out: is the keyring unlocked?');
    return null;
  }
}

/** Delete every keyring item this run created (service tokenbridge, usernames given). */
export async function keyringClear(keys) {
  for (const key of keys) {
    await run('secret-tool', ['clear', 'service', 'tokenbridge', 'username', key], { timeout: 5000 }).catch(() => {});
  }
}

/**
 * Start bin/tinvest-fake (-print-addr). Tokens are added at run time with addTokens() (POST
 * /_fake/tokens), never through argv. Returns {prodURL, sandboxURL, addTokens, calls, violations, stop}.
 */
export async function startTinvestFake({ extraArgs = [] } = {}) {
  const proc = spawn(TINVEST_FAKE, ['-print-addr', '-quiet', '-stdin-close', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c) => { err += c; });
  const urls = await new Promise((resolvePromise, reject) => {
    const t = setTimeout(() => reject(new Error(`tinvest-fake printed no URLs in 10 s; stdout: ${out} stderr: ${err}`)), 10000);
    proc.on('error', (e) => { clearTimeout(t); reject(new Error(`cannot start ${TINVEST_FAKE}: ${e.message} (go build -o bin/tinvest-fake ./host/cmd/tinvest-fake)`)); });
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`tinvest-fake exited ${code}: ${err.trim()}`)); });
    proc.stdout.on('data', (c) => {
      out += c;
      const prod = /^TOKENBRIDGE_TINVEST_URL=(\S+)$/m.exec(out);
      const sb = /^TOKENBRIDGE_TINVEST_SANDBOX_URL=(\S+)$/m.exec(out);
      if (prod && sb) { clearTimeout(t); resolvePromise({ prodURL: prod[1], sandboxURL: sb[1] }); }
    });
  });
  proc.removeAllListeners('exit');
  const origin = new URL(urls.prodURL).origin; // /_fake/* lives at the server root
  const getJSON = async (path) => (await fetch(origin + path)).json();
  return {
    ...urls,
    proc,
    async addTokens(table) {
      const res = await fetch(`${origin}/_fake/tokens`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(table),
      });
      if (!res.ok) throw new Error(`tinvest-fake /_fake/tokens answered ${res.status}: ${await res.text()}`);
    },
    calls: () => getJSON('/_fake/calls'),
    violations: () => getJSON('/_fake/violations'),
    stop() { try { proc.stdin.end(); } catch (_) { /* gone */ } proc.kill('SIGTERM'); },
  };
}

/** Every form a secret could take in a file: raw, base64 at each alignment, UTF-16LE, hex. */
export function secretForms(secret) {
  const forms = [{ name: 'raw', buf: Buffer.from(secret) }, { name: 'utf16le', buf: Buffer.from(secret, 'utf16le') },
    { name: 'hex', buf: Buffer.from(Buffer.from(secret).toString('hex')) }];
  for (let k = 0; k < 3; k++) {
    for (const enc of ['base64', 'base64url']) {
      const b = Buffer.concat([Buffer.alloc(k, 0x20), Buffer.from(secret)]).toString(enc);
      // Drop the characters touched by the prefix and the tail padding: the rest is stable.
      const start = Math.ceil((k * 4) / 3) + 1;
      forms.push({ name: `${enc}@${k}`, buf: Buffer.from(b.slice(start, b.length - 4)) });
    }
  }
  return forms;
}

/** Scan every regular file under dir for any form of any secret. Returns [{file, form}]. */
export function scanTree(dir, secrets, { maxFile = 256 << 20 } = {}) {
  const forms = secrets.flatMap((s) => secretForms(s));
  const hits = [];
  const walk = (d) => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch (_) { return; }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        let st; try { st = statSync(p); } catch (_) { continue; }
        if (st.size > maxFile) continue;
        let buf; try { buf = readFileSync(p); } catch (_) { continue; }
        for (const f of forms) if (buf.includes(f.buf)) hits.push({ file: p, form: f.name });
      }
    }
  };
  walk(dir);
  return hits;
}

/**
 * Lines (console output, logs) that contain a secret in any form or any token-shaped string,
 * returned REDACTED ("#<line>: …[secret]…") so a failing assertion never prints the secret.
 */
export function leakyLines(lines, secrets) {
  const forms = secrets.flatMap((s) => secretForms(s)).map((f) => f.buf.toString('latin1')).filter((f) => f.length >= 16);
  const out = [];
  lines.forEach((l, i) => {
    if (!TOKEN_RE.test(l) && !forms.some((f) => l.includes(f))) return;
    let r = l.replace(new RegExp(TOKEN_RE.source, 'g'), '[token]');
    for (const f of forms) r = r.split(f).join('[secret]');
    out.push(`#${i + 1}: ${r.slice(0, 300)}`);
  });
  return out;
}
