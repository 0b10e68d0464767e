// Aftercare web chat: embed with
//   <script src="https://desk.example/static/conversations/chat-widget.js"
//           data-merchant="shop-slug" defer></script>
// A "Chat with us" button at the bottom right opens the panel (full screen under 600px wide);
// Escape or the close button closes it. data-open="1" starts it open (a page that is only the
// chat). An anonymous visitor's token is kept in localStorage. The customer portal passes
// data-portal="1" and data-token (a token bound to the signed-in customer), which is never
// stored: on a shared device the next customer must not inherit it.
// It listens on a WebSocket (ws/chat/) and falls back to polling when the socket cannot
// connect (another origin, a proxy without upgrades).
(function () {
  "use strict";
  var script = document.currentScript;
  var merchant = script.dataset.merchant;
  var base = script.dataset.base || new URL(script.src).origin;
  var portal = script.dataset.portal === "1";
  var key = "aftercare-chat-" + merchant;
  var openKey = key + (portal ? "-portal" : "") + "-open";
  var POLL_MS = 3000;
  var token = script.dataset.token || (portal ? null : localStorage.getItem(key));
  var lastId = 0;
  var loaded = false;
  var socket = null;
  var pollTimer = null;
  var texts = {
    title: script.dataset.title || "Chat with us",
    placeholder: script.dataset.placeholder || "Type a message",
    send: script.dataset.send || "Send",
    typing: script.dataset.typing || "Typing…",
    read: script.dataset.read || "Read",
    close: script.dataset.close || "Close"
  };

  var CSS =
    "#aftercare-chat{position:fixed;right:16px;bottom:16px;z-index:9999;font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#222}" +
    "#aftercare-chat [hidden]{display:none!important}" +
    "#aftercare-chat .ac-launcher{display:flex;align-items:center;gap:8px;padding:10px 18px;border:0;border-radius:24px;background:#485fc7;color:#fff;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.2)}" +
    "#aftercare-chat button:focus-visible,#aftercare-chat .ac-input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}" +
    "#aftercare-chat .ac-badge{width:10px;height:10px;border-radius:50%;background:#f14668;border:2px solid #fff}" +
    "#aftercare-chat .ac-panel{width:340px;height:480px;max-height:calc(100vh - 32px);display:flex;flex-direction:column;background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);overflow:hidden}" +
    "#aftercare-chat .ac-head{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:6px 6px 6px 12px;background:#485fc7;color:#fff;font-weight:600}" +
    "#aftercare-chat .ac-close{border:0;background:none;color:#fff;font:inherit;font-size:22px;line-height:1;padding:4px 10px;border-radius:4px;cursor:pointer}" +
    "#aftercare-chat .ac-log{flex:1;overflow:auto;padding:8px;min-height:120px}" +
    "#aftercare-chat .ac-typing{padding:0 8px;color:#888;font-size:12px}" +
    "#aftercare-chat .ac-form{display:flex;gap:6px;padding:8px;border-top:1px solid #eee}" +
    "#aftercare-chat .ac-input{flex:1;min-width:0;padding:6px 8px;font:inherit;border:1px solid #bbb;border-radius:4px}" +
    "#aftercare-chat .ac-send{padding:6px 12px;border:0;border-radius:4px;background:#485fc7;color:#fff;font:inherit;cursor:pointer}" +
    "@media (max-width:599px){#aftercare-chat.ac-open{inset:0;right:0;bottom:0}" +
    "#aftercare-chat.ac-open .ac-panel{width:100%;height:100%;max-height:none;border:0;border-radius:0}}";

  var style = document.createElement("style");
  style.textContent = CSS;
  document.head.appendChild(style);

  var root = document.createElement("div");
  root.id = "aftercare-chat";
  root.innerHTML =
    '<button type="button" class="ac-launcher" aria-expanded="false" aria-controls="aftercare-chat-panel"><span class="ac-launcher-text"></span><span class="ac-badge" hidden></span></button>' +
    '<div class="ac-panel" id="aftercare-chat-panel" role="dialog" aria-modal="false" hidden>' +
    '<div class="ac-head"><span class="ac-title" id="aftercare-chat-title"></span><button type="button" class="ac-close">×</button></div>' +
    '<div class="ac-log" role="log" aria-live="polite"></div>' +
    '<div class="ac-typing" hidden></div>' +
    '<form class="ac-form"><input class="ac-input" maxlength="4000" autocomplete="off"><button class="ac-send" type="submit"></button></form>' +
    "</div>";
  var launcher = root.querySelector(".ac-launcher");
  var badge = root.querySelector(".ac-badge");
  var panel = root.querySelector(".ac-panel");
  var closer = root.querySelector(".ac-close");
  var log = root.querySelector(".ac-log");
  var input = root.querySelector(".ac-input");
  var typingHint = root.querySelector(".ac-typing");
  root.querySelector(".ac-launcher-text").textContent = texts.title;
  root.querySelector(".ac-title").textContent = texts.title;
  panel.setAttribute("aria-labelledby", "aftercare-chat-title");
  closer.setAttribute("aria-label", texts.close);
  closer.title = texts.close;
  input.placeholder = texts.placeholder;
  input.setAttribute("aria-label", texts.placeholder);
  root.querySelector(".ac-send").textContent = texts.send;
  typingHint.textContent = texts.typing;
  document.body.appendChild(root);

  function isOpen() { return !panel.hidden; }

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("ac-open");
    badge.hidden = true;
    sessionStorage.setItem(openKey, "1");
    log.scrollTop = log.scrollHeight;
    if (focus) { input.focus(); }
    if (token) { markRead(); }
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("ac-open");
    sessionStorage.removeItem(openKey);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  closer.addEventListener("click", close);
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && isOpen()) { e.preventDefault(); close(); }
  });

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ "Content-Type": "application/json", "X-Chat-Token": token || "" }, options.headers || {});
    options.credentials = portal ? "include" : "omit";
    return fetch(base + path, options);
  }

  function ensureToken() {
    if (token) { return Promise.resolve(token); }
    var path = portal ? "/desk/chat/portal-session/" + merchant + "/" : "/desk/chat/session/" + merchant + "/";
    var headers = {};
    if (portal) { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); if (m) { headers["X-CSRFToken"] = decodeURIComponent(m[1]); } }
    return fetch(base + path, { method: "POST", credentials: portal ? "include" : "omit", headers: headers })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        token = body.token;
        if (!portal) { localStorage.setItem(key, token); }
        return token;
      });
  }

  function forgetToken() {
    if (!portal) { localStorage.removeItem(key); }
    token = null;
  }

  function show(message) {
    if (message.id <= lastId || log.querySelector('[data-id="' + message.id + '"]')) { return; }
    lastId = Math.max(lastId, message.id);
    var mine = message.direction === "inbound";
    var row = document.createElement("div");
    row.className = "ac-message ac-" + (mine ? "mine" : "theirs");
    row.dataset.id = message.id;
    row.dataset.at = message.created_at;
    row.setAttribute("style", "margin:4px 0;text-align:" + (mine ? "right" : "left"));
    var bubble = document.createElement("span");
    bubble.setAttribute("style", "display:inline-block;max-width:85%;text-align:left;padding:6px 10px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;background:" + (mine ? "#e8edff" : "#f1f1f1"));
    bubble.textContent = message.body;  // text only: nothing from the wire becomes HTML
    row.appendChild(bubble);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    if (!mine) {
      typingHint.hidden = true;
      if (isOpen()) { markRead(); } else if (loaded) { badge.hidden = false; }
    }
  }

  // Read state: "Read" under the visitor's last message the agent has seen.
  function showAgentRead(at) {
    if (!at) { return; }
    var seen = Date.parse(at);
    var old = log.querySelector(".ac-read");
    if (old) { old.remove(); }
    var mine = log.querySelectorAll(".ac-mine");
    for (var i = mine.length - 1; i >= 0; i--) {
      if (Date.parse(mine[i].dataset.at) <= seen) {
        var tag = document.createElement("div");
        tag.className = "ac-read";
        tag.setAttribute("style", "font-size:11px;color:#888");
        tag.textContent = texts.read;
        mine[i].appendChild(tag);
        return;
      }
    }
  }

  // Only an open panel on a visible page counts as the customer having read the replies.
  function markRead() {
    if (isOpen() && document.visibilityState === "visible") { api("/desk/chat/read/", { method: "POST" }); }
  }

  function poll() {
    return api("/desk/chat/messages/?after=" + lastId).then(function (r) {
      if (r.status === 401) { forgetToken(); return ensureToken(); }
      return r.json().then(function (body) {
        (body.messages || []).forEach(show);
        showAgentRead(body.agent_read_at);
        loaded = true;
      });
    });
  }

  function startPolling() { if (pollTimer === null) { pollTimer = setInterval(poll, POLL_MS); } }
  function stopPolling() { if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; } }

  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var url = base.replace(/^http/, "ws") + "/ws/chat/?token=" + encodeURIComponent(token);
    try { socket = new WebSocket(url); } catch (e) { startPolling(); return; }
    socket.onopen = function () { stopPolling(); root.dataset.live = "socket"; poll(); };
    socket.onmessage = function (m) {
      var event = JSON.parse(m.data);
      if (event.kind === "message") { show(event.data); }
      if (event.kind === "typing") { typingHint.hidden = false; clearTimeout(typingHint._t); typingHint._t = setTimeout(function () { typingHint.hidden = true; }, 4000); }
      if (event.kind === "read" && event.data.side === "agent") { showAgentRead(event.data.at); }
    };
    socket.onclose = function () { root.dataset.live = "polling"; socket = null; startPolling(); setTimeout(connect, 15000); };
  }

  var lastTyping = 0;
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping < 2500) { return; }
    lastTyping = now;
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "typing" })); }
    else { api("/desk/chat/typing/", { method: "POST" }); }
  });

  root.querySelector(".ac-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    input.value = "";
    ensureToken()
      .then(function () { return api("/desk/chat/messages/", { method: "POST", body: JSON.stringify({ body: body }) }); })
      .then(function (r) { return r.json(); })
      .then(function (m) { if (m.id) { show(m); } });
  });

  // Open at the start when the page asks, or when the visitor left it open on the last page.
  if (script.dataset.open === "1" || sessionStorage.getItem(openKey) === "1") { open(false); }
  root.dataset.live = "polling";
  ensureToken().then(function () { poll(); startPolling(); connect(); });
})();
