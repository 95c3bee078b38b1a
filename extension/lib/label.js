// tokenbridge: THE label rule (token labels and account names), the same as the host's
// (host/vault CheckLabel): what a person can see is kept, what nobody can see is dropped.
//   - control characters (Cc), line/paragraph separators and every kind of space become one space;
//   - invisible format characters (Unicode Cf: zero-width space, bidi controls, soft hyphen, BOM, word
//     joiner, …) are dropped, EXCEPT the joiners U+200C/U+200D between two visible characters (emoji
//     ZWJ sequences such as 👨‍👩‍👧, Persian and Indic text) and the tag characters U+E0020..U+E007F right
//     after 🏴 or another tag (subdivision flags such as 🏴󠁧󠁢󠁳󠁣󠁴󠁿);
//   - at most 100 characters (code points, as the host counts), never cutting inside a ZWJ sequence's joiner.
// A label is refused only when nothing visible is left (empty, spaces, joiners or combining marks only).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('label', () => {
  'use strict';
  const MAX = 100;
  const CF = /^\p{Cf}$/u;
  const SPACE = /^[\p{Cc}\p{Z}\s]$/u;
  const JOINER = /^[\u200c\u200d]$/u;
  const TAG = /^[\u{e0020}-\u{e007f}]$/u;
  const SURROGATE = /^\p{Cs}$/u;
  const BLACK_FLAG = '\u{1f3f4}';
  const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}\p{Co}]/u;

  // A neighbour that lets a joiner stay: anything but space, control and format characters.
  const joinable = (c) => c !== undefined && !SPACE.test(c) && !CF.test(c);

  /** The cleaned text (see above); '' for anything that is not a string. */
  function clean(s) {
    if (typeof s !== 'string') return '';
    const cps = Array.from(s.length > 4000 ? s.slice(0, 4000) : s);
    const out = [];
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (SPACE.test(c)) { if (out.length && out[out.length - 1] !== ' ') out.push(' '); continue; }
      if (TAG.test(c)) {
        const prev = out[out.length - 1];
        if (prev === BLACK_FLAG || (prev !== undefined && TAG.test(prev))) out.push(c);
        continue;
      }
      if (JOINER.test(c)) {
        if (joinable(out[out.length - 1]) && joinable(cps[i + 1])) out.push(c);
        continue;
      }
      if (CF.test(c) || SURROGATE.test(c)) continue; // a lone surrogate is half a character
      out.push(c);
    }
    let cut = out.slice(0, MAX);
    while (cut.length && (cut[cut.length - 1] === ' ' || JOINER.test(cut[cut.length - 1]))) cut.pop();
    while (cut.length && cut[0] === ' ') cut = cut.slice(1);
    return cut.join('');
  }

  /** True when s shows at least one letter, digit, punctuation mark or symbol. */
  function visible(s) { return typeof s === 'string' && VISIBLE.test(s); }

  /** The cleaned label, or '' when nothing visible is left (the caller decides: default or refuse). */
  function usable(s) {
    const c = clean(s);
    return visible(c) ? c : '';
  }
  return { clean, visible, usable };
});
