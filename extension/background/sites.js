// tokenbridge background: the optional fill rules' sites (lib/rules.js, `optional: true`). Nothing of
// them runs by default. The user turns a site on in the popup: the popup asks the browser for the
// rule's origins (optional_host_permissions; needs the click), then this file adds the origins to the
// host's fill allowlist (allow_fill_origin) and registers the fill content script for the rule's pages
// (scripting.registerContentScripts; the same files as the manifest's Logos entry). Turning it off
// removes the permission, the origins and the script. sync() makes the registrations follow the granted
// permissions (at start, and whenever the user changes them in the browser's own settings).
globalThis[Symbol.for('tokenbridge.namespace.v1')]?.define('sites', (TB) => {
  'use strict';
  const api = globalThis.browser || globalThis.chrome;
  const fail = TB.errors.fail;
  const scriptId = (rule) => 'tb-rule-' + rule.id;
  const optional = () => TB.rules.RULES.filter((r) => r.optional);

  // The fill content script's files: the manifest's list for content/logos.js (a unit test keeps them
  // equal; Firefox's runtime.getManifest() does not hand the content_scripts back as written).
  const FILL_FILES = Object.freeze(['lib/base.js', 'lib/dom.js', 'lib/token.js', 'lib/errors.js', 'lib/strings.js',
    'lib/rules.js', 'lib/fill.js', 'lib/ui.js', 'lib/fill-flow.js', 'content/logos.js']);
  const fillFiles = () => FILL_FILES.slice();

  function optionalRule(id) {
    const r = typeof id === 'string' ? TB.rules.byId(id) : null;
    if (!r || !r.optional) throw fail('bad_request', 'rule_id must be one of ' + optional().map((x) => x.id).join(', '));
    return r;
  }

  async function granted(rule) {
    if (!api.permissions) return false;
    try { return await api.permissions.contains(TB.rules.permissionsOf(rule)); } catch (_) { return false; }
  }

  /** Whether a sender on `ruleId`'s pages may be served: built-in rules always, optional ones while on. */
  async function active(ruleId) {
    const r = TB.rules.byId(ruleId);
    return !!r && (!r.optional || granted(r));
  }

  async function register(rule) {
    const entry = { id: scriptId(rule), matches: rule.matches.slice(), js: fillFiles(), runAt: 'document_idle', allFrames: false };
    try {
      await api.scripting.registerContentScripts([Object.assign({ persistAcrossSessions: true }, entry)]);
    } catch (e) {
      // Older Firefox builds refuse persistAcrossSessions; sync() runs at every start anyway.
      if (!/persist/i.test(String(e && e.message))) throw e;
      await api.scripting.registerContentScripts([entry]);
    }
  }

  let chain = Promise.resolve();
  /** Registrations follow the permissions (serialized: two syncs never register the same id twice). */
  function sync() {
    chain = chain.then(async () => {
      if (!api.scripting || !api.scripting.getRegisteredContentScripts) return;
      const have = new Set((await api.scripting.getRegisteredContentScripts()).map((s) => s.id));
      for (const r of optional()) {
        const on = await granted(r);
        if (on && !have.has(scriptId(r))) await register(r);
        if (!on && have.has(scriptId(r))) await api.scripting.unregisterContentScripts({ ids: [scriptId(r)] });
      }
    }).catch(() => {});
    return chain;
  }

  /**
   * The popup's list: [{id, name, origins, prefers, granted, allowed, enabled}]. A site is on (`enabled`)
   * only with both gates open: the browser's permission and every origin in the host's fill allowlist.
   */
  async function list(host) {
    const l = await host('list_fill_origins', { provider: 'tinvest' });
    const allowedNow = new Set([].concat(l.builtin || [], l.added || []));
    const out = [];
    for (const r of optional()) {
      const g = await granted(r);
      const a = r.origins.every((o) => allowedNow.has(o));
      out.push({ id: r.id, name: r.name, origins: r.origins.slice(), permissions: TB.rules.permissionsOf(r), prefers: r.prefers, granted: g, allowed: a, enabled: g && a });
    }
    return out;
  }

  /** After the popup got the permission: allow the origins in the host, register the script. */
  async function enable(id, host) {
    const r = optionalRule(id);
    if (!(await granted(r))) throw fail('site_permission', r.name + ' (' + r.origins.join(', ') + '): the browser did not grant access to the site');
    for (const o of r.origins) await host('allow_fill_origin', { provider: 'tinvest', origin: o });
    await sync();
    return { ok: true, sites: await list(host) };
  }

  /** Off: the permission, the host's allowlist entries and the script go. */
  async function disable(id, host) {
    const r = optionalRule(id);
    if (api.permissions) await api.permissions.remove(TB.rules.permissionsOf(r));
    for (const o of r.origins) await host('remove_fill_origin', { provider: 'tinvest', origin: o });
    await sync();
    return { ok: true, sites: await list(host) };
  }

  return { sync, list, enable, disable, active };
});
