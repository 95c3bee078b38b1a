// tokenbridge background: the only part that talks to the native host (dev.tokenbridge.host).
// Classic scripts (no ES modules), split by job and loaded in this order:
//   lib/base.js, lib/token.js, lib/errors.js, lib/label.js   shared with the content scripts and the popup
//   background/native.js     the native port: request ids, per-command timeouts, reconnect
//   background/senders.js    who is asking (from `sender`, filled in by the browser; never from a message)
//   background/clipboard.js  copy + clear after 30 s
//   lib/rules.js             the fill rules (data): which pages are fill senders
//   background/sites.js      optional fill rules' sites: permission, host allowlist, registered script
//   lib/fill.js              the token pick for a site's kinds (no DOM used here)
//   background/userfill.js   user-driven fill (context menu, popup): consent, injection with activeTab
//   background/handlers.js   what each sender may ask, input checks
//   background.js            this file: loads the others in Chromium, wires the listeners
// Chromium runs this file as the MV3 service worker and loads the others with importScripts; Firefox
// runs them all as an event page from manifest.json `background.scripts` (same list; a unit test checks).
(function (root) {
  'use strict';
  const FILES = ['lib/base.js', 'lib/token.js', 'lib/errors.js', 'lib/label.js',
    'lib/rules.js', 'lib/fill.js', 'background/native.js', 'background/senders.js', 'background/clipboard.js', 'background/sites.js',
    'background/userfill.js', 'background/handlers.js'];
  if (typeof root.importScripts === 'function') root.importScripts(...FILES);
  const TB = root[Symbol.for('tokenbridge.namespace.v1')];
  const api = root.browser || root.chrome;
  if (!TB || !api || !api.runtime || !api.runtime.onMessage) return;

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    TB.handlers.handleMessage(msg, sender).then(sendResponse, (e) => sendResponse(TB.errors.reply(e)));
    return true;
  });
  // No runtime.onMessageExternal / onConnectExternal listeners: other extensions get nothing.
  if (api.runtime.onConnect) api.runtime.onConnect.addListener(TB.clipboard.onConnect);
  if (api.alarms && api.alarms.onAlarm) api.alarms.onAlarm.addListener(TB.clipboard.onAlarm);
  // Optional sites' content scripts follow the granted permissions (also changed in the browser's settings).
  if (api.permissions && api.permissions.onAdded) api.permissions.onAdded.addListener(() => { TB.sites.sync(); });
  if (api.permissions && api.permissions.onRemoved) api.permissions.onRemoved.addListener(() => { TB.sites.sync(); });
  TB.sites.sync();
  // User-driven fill: the context-menu item on editable fields.
  if (api.contextMenus && api.contextMenus.onClicked) {
    TB.userFill.createMenu();
    api.contextMenus.onClicked.addListener((info, tab) => { TB.userFill.onMenu((c, f) => TB.native.request(c, f), info, tab); });
  }

  // Exposed for unit tests (the background's global is not reachable from web pages or other extensions).
  root.__tokenbridgeBackground = {
    FILES, classify: TB.senders.classify, handleMessage: TB.handlers.handleMessage, mapNativeError: TB.native.mapNativeError,
    hostRequest: TB.native.request, nat: TB.native.nat, capturedBy: TB.handlers.capturedBy,
    clipboardCopy: TB.clipboard.copy, clearIfStill: TB.clipboard.clearIfStill, userFill: TB.userFill,
  };
})(typeof globalThis !== 'undefined' ? globalThis : self);
