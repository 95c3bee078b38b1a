// tokenbridge: the fill controller's state and its steps (no DOM writes, no messaging). The Logos
// content script (content/logos.js) keeps only the observers and the wiring: it reads the page into a
// snapshot, asks decide() what to do, performs that, and shows the views returned here. Unit tests drive
// the steps directly (test/unit/fill-flow.test.js).
//
// State (one plain object; see initial()):
//   hint       last broker choice the USER clicked inside the block ('tinkoff' | 'other' | null)
//   armed      a trusted user action happened inside the block, or the user asked from the popup
//              (page scripts cannot set it): automatic fills wait for it
//   filled     {field, tokenId, digest, label, lastOurs} once we wrote a token into a field
//   recorded   the use of the filled token was recorded (after «Портфель подключен»)
//   busy       a fill is in flight
//   autoFills  automatic fill attempts on this page load
//   fastUntil  until when every mutation is handled at once (after a trusted action in the block)
//   fullOk     the user agreed in the box to fill a full-access token where the rule prefers read-only
//   rule       the page's fill rule (lib/rules.js): what to look for
//   policy     the rules below; a later change (consent before fill, other limits) edits only these
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('fillFlow', (TB) => {
  'use strict';
  const POLICY = Object.freeze({
    candidatesMaxAgeMs: 30000, // prefetched token metadata is reused for this long
    fastMs: 3000,              // immediate scans after a trusted action in the block
    maxAutoFills: 3,           // a page re-creating an empty field must not make us fetch the secret forever
    autoFillNeedsArmed: true,  // fill automatically only after the user acted inside the block
  });

  // Where a read-only token is issued (the capture script takes over there).
  const ISSUE_URL = 'https://www.tbank.ru/invest/settings/';

  function initial(policy, rule) {
    return {
      hint: null, armed: false, filled: null, recorded: false, busy: false, autoFills: 0, fastUntil: 0, fullOk: false,
      rule: rule || TB.rules.LOGOS,
      policy: Object.freeze(Object.assign({}, POLICY, policy || {})),
    };
  }

  /**
   * Where a token may go right now: {block, field, state} or {why: no_block | other_broker | not_chosen |
   * no_field}. Re-checked right before every write (reads the DOM through lib/fill.js, writes nothing).
   */
  function target(doc, st) {
    const block = TB.fill.findBlock(doc, st.rule);
    if (!block) return { why: 'no_block' };
    const state = TB.fill.brokerState(block, st.hint, st.rule);
    if (state !== 'tinkoff') return { why: state === 'other' ? 'other_broker' : 'not_chosen', block, state };
    const field = TB.fill.findTokenField(block, st.rule);
    if (!field) return { why: 'no_field', block, state };
    return { block, field, state };
  }

  /**
   * What a scan should do. snap: {connectedOurs, block, state, field, fieldValue, tried, offerable},
   * settings: {autofill}. Returns one of
   *   {act:'record'} | {act:'clear_ours'} (another broker chosen after we filled) | {act:'autofill', field} |
   *   {act:'offer', kind:'offer-fill'|'offer'} | {act:'none'}.
   */
  function decide(st, snap, settings) {
    if (st.filled && !st.recorded && snap.connectedOurs) return { act: 'record' };
    if (!snap.block) return { act: 'none' };
    if (snap.state === 'other') return { act: 'clear_ours' };
    if (snap.state === 'tinkoff') {
      if (!snap.field || snap.fieldValue || snap.tried || st.recorded) return { act: 'none' };
      // A page script selecting «Тинькофф» by itself gets a button, not the token.
      if (settings.autofill && (st.armed || !st.policy.autoFillNeedsArmed)) return { act: 'autofill', field: snap.field };
      return { act: 'offer', kind: 'offer-fill' };
    }
    return snap.offerable ? { act: 'offer', kind: 'offer' } : { act: 'none' };
  }

  /** One more automatic attempt: {st, allowed}. Past the cap the user gets a button instead. */
  function countAutoFill(st) {
    const autoFills = st.autoFills + 1;
    return { st: Object.assign({}, st, { autoFills }), allowed: autoFills <= st.policy.maxAutoFills };
  }

  /**
   * A trusted user action inside the block: arm, speed up scans, and remember the broker the user
   * clicked. near(labels) tells whether the clicked element (or a close ancestor) reads as one of labels.
   */
  function userActed(st, now, isClick, near) {
    let hint = st.hint;
    if (isClick && st.rule.broker) {
      if (near(st.rule.broker.choose)) hint = 'tinkoff';
      else if (near(st.rule.broker.others)) hint = 'other';
    }
    return Object.assign({}, st, { armed: true, fastUntil: now + st.policy.fastMs, hint });
  }

  /**
   * Before fetching a secret for pick: {ok} or {ok:false, ask:true} when the best token is full access
   * where the rule prefers read-only and the user has not agreed yet on this page.
   */
  function kindConsent(st, pick) {
    return pick && pick.needsConsent && !st.fullOk ? { ok: false, ask: true } : { ok: true };
  }

  /** Whether a `get` reply may be written into tgt: {ok} or {ok:false, status}. */
  function secretUsable(reply, tgt) {
    if (!reply || !reply.ok || typeof reply.secret !== 'string') return { ok: false, status: 'error' };
    if (!tgt.field || !TB.token.isTokenShape(reply.secret)) return { ok: false, status: tgt.why || 'shape' };
    return { ok: true };
  }

  // Views: what the box shows. {status, lines, tone, compact?}
  function errorView(err) {
    return { status: 'error:' + TB.errors.codeOf(err), lines: [TB.strings.t('box_fill_error', [TB.errors.message(err)])], tone: 'err' };
  }
  function abortedView(why) { return { status: 'aborted:' + why, lines: [TB.strings.t('box_fill_aborted', [why])], tone: 'warn' }; }
  function noTokenView(pick, rule) { return { status: pick.total ? 'none:all_skipped' : 'none:empty', lines: [TB.fill.noTokenReason(pick, rule)], tone: 'warn' }; }
  function filledView(filled) { return { status: 'filled', lines: [TB.strings.t('box_fill_filled', [filled.label])], tone: 'ok' }; }
  /** The other tokens the user may switch to (only when there is a choice). */
  function choices(pick) { return pick && pick.choices && pick.choices.length > 1 ? pick.choices : []; }
  function connectedView() { return { status: 'connected', lines: [TB.strings.t('box_fill_connected')], tone: 'ok' }; }
  /** Full access where read-only is preferred: the risk, and the two ways on (buttons added by the page). */
  function consentView(st, pick) {
    return {
      status: 'ask:full_access', tone: 'warn',
      lines: [TB.strings.t('box_fill_full_risk', [st.rule.name, (pick.best && pick.best.label) || ''])],
      buttons: [TB.strings.t('box_fill_full_anyway'), TB.strings.t('box_fill_issue_readonly')],
    };
  }
  function offerView(kind) {
    return { status: kind, lines: [], tone: 'info', compact: true, button: TB.strings.t(kind === 'offer' ? 'box_fill_offer' : 'box_fill_offer_fill') };
  }

  return { POLICY, ISSUE_URL, initial, target, decide, countAutoFill, userActed, kindConsent, consentView, secretUsable, errorView, abortedView, noTokenView, filledView, choices, connectedView, offerView };
});
