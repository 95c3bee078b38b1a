import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, FIXTURE_TOKEN, OTHER_TOKEN, same } from './helpers.js';

const TB = load(page('<p></p>', 'https://www.tbank.ru/invest/settings/'), ['lib/base.js', 'lib/token.js']);

test('token shape: t. + at least 60 base64url chars, any length beyond', () => {
  assert.ok(TB.token.isTokenShape(FIXTURE_TOKEN));
  assert.ok(TB.token.isTokenShape('t.' + 'a'.repeat(60)));
  assert.ok(TB.token.isTokenShape('t.' + 'a'.repeat(300)));
  assert.ok(!TB.token.isTokenShape('t.' + 'a'.repeat(59)));
  assert.ok(!TB.token.isTokenShape('x.' + 'a'.repeat(80)));
  assert.ok(!TB.token.isTokenShape('t.' + 'a'.repeat(70) + '='));
  assert.ok(!TB.token.isTokenShape(' ' + FIXTURE_TOKEN));
  assert.ok(!TB.token.isTokenShape(null));
});

test('extractTokens finds whole words only', () => {
  const found = TB.token.extractTokens('Ваш токен: ' + FIXTURE_TOKEN + '. И ещё ' + OTHER_TOKEN + '\n');
  assert.equal(found.length, 2);
  same(found[0], FIXTURE_TOKEN);
  same(found[1], OTHER_TOKEN);
  assert.equal(TB.token.extractTokens('x' + FIXTURE_TOKEN).length, 0, 'glued to a word');
  assert.equal(TB.token.extractTokens('at.' + 'a'.repeat(80)).length, 0);
});

test('masked and partial forms are not tokens', () => {
  for (const s of [
    't.Ab…Yz9Q',
    FIXTURE_TOKEN.slice(0, 70) + '…',
    FIXTURE_TOKEN.slice(0, 70) + '...',
    FIXTURE_TOKEN.slice(0, 70) + '****',
    '…' + FIXTURE_TOKEN.slice(0, 70),
    '*' + FIXTURE_TOKEN,
    't.' + '*'.repeat(80),
    't.short_token',
  ]) {
    assert.equal(TB.token.extractTokens(s).length, 0, 'masked form accepted (not printed)');
  }
});

test('digest is stable and differs per token', async () => {
  const a = await TB.token.digest(FIXTURE_TOKEN);
  assert.equal(a.length, 64);
  assert.equal(a, await TB.token.digest(FIXTURE_TOKEN));
  assert.notEqual(a, await TB.token.digest(OTHER_TOKEN));
});
