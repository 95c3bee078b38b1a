// The capture controller's steps (lib/capture-flow.js), driven directly: no DOM, no background.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, CAPTURE_LIBS } from './helpers.js';

const TB = load(page('<p></p>', 'https://www.tbank.ru/invest/settings/'), CAPTURE_LIBS);
// Values made in the page's realm: compare their JSON shape.
const plain = (x) => JSON.parse(JSON.stringify(x));
const flow = TB.captureFlow;
const ok = { autocapture: true, shape: true, issued: true };

test('admit: each refusal has its verdict, and only "store" counts a store', () => {
  const cases = [
    ['settings off', { ...ok, autocapture: false, digest: 'a' }, 'off'],
    ['not token-shaped', { ...ok, shape: false, digest: 'a' }, 'shape'],
    ['no «Токен выпущен»', { ...ok, issued: false, digest: 'a' }, 'not_issued'],
    ['a new token', { ...ok, digest: 'a' }, 'store'],
  ];
  for (const [name, c, want] of cases) {
    const r = flow.admit(flow.initial(), c);
    assert.equal(r.verdict, want, name);
    assert.equal(r.st.stores, want === 'store' ? 1 : 0, name);
  }
});

test('admit: the same token twice is stored once; past maxStores a token is refused with "limit"', () => {
  let st = flow.initial();
  const verdicts = [];
  for (const digest of ['a', 'a', 'b', 'c', 'c']) {
    const r = flow.admit(st, { ...ok, digest });
    st = r.st;
    verdicts.push(r.verdict);
  }
  assert.deepEqual(verdicts, ['store', 'seen', 'store', 'limit', 'seen']);
  assert.equal(st.stores, 2);
});

test('admit: the limit is policy data (a later change may lift it without touching the steps)', () => {
  let st = flow.initial({ maxStores: Infinity });
  for (const digest of ['a', 'b', 'c', 'd']) st = flow.admit(st, { ...ok, digest }).st;
  assert.equal(st.stores, 4);
  assert.equal(flow.POLICY.maxStores, 2, 'the default stays 2');
});

test('admit does not change the state it was given', () => {
  const st = flow.initial();
  flow.admit(st, { ...ok, digest: 'a' });
  assert.equal(st.stores, 0);
  assert.equal(st.seen.size, 0);
});

test('page events count only within copyWindowMs after the user\'s copy click', () => {
  const st0 = flow.initial();
  assert.equal(flow.eventCounts(st0, 1000), false, 'no click yet');
  const st = flow.copyClicked(st0, 10000);
  for (const [now, want] of [[10000, true], [12000, true], [12001, false]]) assert.equal(flow.eventCounts(st, now), want, String(now));
});

test('withChoices keeps a known kind while the form is torn down, and takes a new scope only if it says something', () => {
  let st = flow.initial();
  st = flow.withChoices(st, { kind: 'full_access', scope: { all_accounts: true, account_name: '' } });
  st = flow.withChoices(st, { kind: 'unknown', scope: { all_accounts: false, account_name: '' } });
  assert.deepEqual(plain(st.choices), { kind: 'full_access', scope: { all_accounts: true, account_name: '' } });
  st = flow.withChoices(st, { kind: 'readonly', scope: { all_accounts: false, account_name: 'ИИС' } });
  assert.deepEqual(plain(st.choices), { kind: 'readonly', scope: { all_accounts: false, account_name: 'ИИС' } });
});

test('storeRequest carries the choices and the Russian label', () => {
  const st = flow.withChoices(flow.initial(), { kind: 'full_access', scope: { all_accounts: true } });
  const req = flow.storeRequest(st, 'SECRET');
  assert.equal(req.type, 'tb:capture');
  assert.equal(req.kind, 'full_access');
  assert.deepEqual(plain(req.scope), { all_accounts: true, account_name: '' });
  assert.equal(req.label, 'T-Invest · полный доступ · все счета');
});

test('storedView: stored, already stored, and a failure with its advice and a retry', () => {
  const req = { label: 'L', kind: 'full_access' };
  const stored = flow.storedView(req, { ok: true, created: true, token: { id: 'tok_1', label: 'Мой' } });
  assert.equal(stored.status, 'stored');
  assert.equal(stored.validate, 'tok_1');
  assert.match(stored.lines[0], /Токен сохранён в связке ключей: Мой \(полный доступ\)/);
  assert.match(flow.storedView(req, { ok: true, created: false, token: { id: 'x' } }).lines[0], /уже сохранён: L/);
  const failed = flow.storedView(req, { ok: false, error: { code: 'keyring_locked', message: 'locked' } });
  assert.equal(failed.status, 'error:keyring_locked');
  assert.equal(failed.retry, true);
  assert.match(failed.lines[0], /^Токен НЕ сохранён\. Связка ключей заблокирована/);
  assert.equal(flow.storedView(req, null).status, 'error:extension_error', 'no answer at all');
});

test('verdictView: each host verdict, an unknown one, and a failed check', () => {
  const cases = [
    ['full_access', 'full_access', 'ok', /полный доступ, счетов: 2/],
    ['readonly', 'readonly', 'warn', /только чтение/],
    ['sandbox', 'sandbox', 'warn', /песочницы/],
    ['invalid', 'invalid', 'warn', /недействителен/],
    ['something new', 'upstream', 'warn', /сервер T-Invest недоступен/],
  ];
  for (const [result, verdict, tone, re] of cases) {
    const v = flow.verdictView({ ok: true, token: { validation: { result, accounts: 2 } } });
    assert.equal(v.verdict, verdict, result);
    assert.equal(v.tone, tone, result);
    assert.match(v.line, re, result);
  }
  const e = flow.verdictView({ ok: false, error: { code: 'host_timeout', message: '"validate" got no answer within 60 s' } });
  assert.equal(e.verdict, 'error:host_timeout');
  assert.match(e.line, /не ответила вовремя \("validate" got no answer within 60 s\)/);
});
