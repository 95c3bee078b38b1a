// The fill controller's steps (lib/fill-flow.js), driven directly with plain snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page, load, FILL_LIBS } from './helpers.js';

const TB = load(page('<p></p>', 'https://logos-up.com/profile/'), FILL_LIBS);
// Values made in the page's realm: compare their JSON shape.
const plain = (x) => JSON.parse(JSON.stringify(x));
const flow = TB.fillFlow;
const field = { id: 'field' };
const armed = () => Object.assign(flow.initial(), { armed: true });

test('decide: one action per situation', () => {
  const filled = { field, tokenId: 't', digest: 'd' };
  const cases = [
    ['connected with our token: record the use', { ...flow.initial(), filled }, { block: {}, connectedOurs: true }, {}, { act: 'record' }],
    ['already recorded: not again', { ...flow.initial(), filled, recorded: true }, { block: {}, connectedOurs: true, state: 'tinkoff', field }, { autofill: true }, { act: 'none' }],
    ['no block', flow.initial(), { block: null }, { autofill: true }, { act: 'none' }],
    ['another broker chosen', armed(), { block: {}, state: 'other' }, { autofill: true }, { act: 'clear_ours' }],
    ['Tinkoff, empty field, user acted, autofill on', armed(), { block: {}, state: 'tinkoff', field, fieldValue: '' }, { autofill: true }, { act: 'autofill', field }],
    ['Tinkoff chosen by a page script (not armed): a button, not the token', flow.initial(), { block: {}, state: 'tinkoff', field, fieldValue: '' }, { autofill: true }, { act: 'offer', kind: 'offer-fill' }],
    ['autofill off: a button', armed(), { block: {}, state: 'tinkoff', field, fieldValue: '' }, { autofill: false }, { act: 'offer', kind: 'offer-fill' }],
    ['field already holds something', armed(), { block: {}, state: 'tinkoff', field, fieldValue: 'x' }, { autofill: true }, { act: 'none' }],
    ['field already tried', armed(), { block: {}, state: 'tinkoff', field, fieldValue: '', tried: true }, { autofill: true }, { act: 'none' }],
    ['field not open yet', armed(), { block: {}, state: 'tinkoff', field: null }, { autofill: true }, { act: 'none' }],
    ['nothing chosen, «Тинькофф» offered', flow.initial(), { block: {}, state: 'none', offerable: true }, { autofill: true }, { act: 'offer', kind: 'offer' }],
    ['nothing chosen, no «Тинькофф» choice', flow.initial(), { block: {}, state: 'none', offerable: false }, { autofill: true }, { act: 'none' }],
  ];
  for (const [name, st, snap, settings, want] of cases) {
    const got = flow.decide(st, snap, settings);
    assert.equal(got.field, want.field, name);
    assert.deepEqual(plain(got), plain(want), name);
  }
});

test('decide: consent is policy data (autoFillNeedsArmed)', () => {
  const st = flow.initial({ autoFillNeedsArmed: false });
  assert.deepEqual(plain(flow.decide(st, { block: {}, state: 'tinkoff', field, fieldValue: '' }, { autofill: true })), { act: 'autofill', field: { id: 'field' } });
});

test('countAutoFill: at most maxAutoFills automatic attempts', () => {
  let st = flow.initial();
  const allowed = [];
  for (let i = 0; i < 5; i++) { const r = flow.countAutoFill(st); st = r.st; allowed.push(r.allowed); }
  assert.deepEqual(allowed, [true, true, true, false, false]);
});

test('userActed arms, speeds up scans and remembers the broker the user clicked', () => {
  const near = (which) => (labels) => labels === TB.fill.FILL_TEXT[which];
  const st = flow.userActed(flow.initial(), 1000, true, near('TINKOFF'));
  assert.equal(st.armed, true);
  assert.equal(st.fastUntil, 1000 + flow.POLICY.fastMs);
  assert.equal(st.hint, 'tinkoff');
  assert.equal(flow.userActed(st, 2000, true, near('OTHER')).hint, 'other');
  assert.equal(flow.userActed(st, 2000, false, near('OTHER')).hint, 'tinkoff', 'a key press does not change the hint');
});

test('secretUsable: writes only a token-shaped secret into a present field', () => {
  const tok = 't.' + 'A'.repeat(80);
  const cases = [
    ['no reply', null, { field }, { ok: false, status: 'error' }],
    ['refused', { ok: false, error: { code: 'target_denied' } }, { field }, { ok: false, status: 'error' }],
    ['field gone', { ok: true, secret: tok }, { why: 'other_broker' }, { ok: false, status: 'other_broker' }],
    ['not token-shaped', { ok: true, secret: 'hello' }, { field }, { ok: false, status: 'shape' }],
    ['fine', { ok: true, secret: tok }, { field }, { ok: true }],
  ];
  for (const [name, reply, tgt, want] of cases) assert.deepEqual(plain(flow.secretUsable(reply, tgt)), want, name);
});

test('target reads the block: no block, not chosen, other broker, and the field', () => {
  const read = (html) => flow.target(page(html, 'https://logos-up.com/profile/').document, flow.initial());
  assert.equal(read('<p>nothing</p>').why, 'no_block');
  const w = page('logos-radio.html', 'https://logos-up.com/profile/');
  const TBw = load(w, FILL_LIBS);
  assert.equal(TBw.fillFlow.target(w.document, TBw.fillFlow.initial()).why, 'not_chosen');
  w.document.getElementById('r-t').click();
  const t = TBw.fillFlow.target(w.document, TBw.fillFlow.initial());
  assert.equal(t.field, w.document.getElementById('token'));
});

test('views: error advice from the one table, offers, filled', () => {
  const e = flow.errorView({ code: 'host_forbidden', message: 'x' });
  assert.equal(e.status, 'error:host_forbidden');
  assert.match(e.lines[0], /^Не удалось вставить токен\. .*--extension-id hodkpdeoebfagkfdfjfhcfnbemcgabcj/);
  assert.equal(flow.offerView('offer').button, 'Выбрать «Тинькофф» и вставить токен');
  assert.equal(flow.offerView('offer-fill').button, 'Вставить токен T-Invest');
  assert.match(flow.filledView({ label: 'Мой' }).lines[0], /вставил токен: Мой/);
  assert.equal(flow.choices({ choices: [{ id: 'a' }] }).length, 0);
  assert.equal(flow.choices({ choices: [{ id: 'a' }, { id: 'b' }] }).length, 2);
});
