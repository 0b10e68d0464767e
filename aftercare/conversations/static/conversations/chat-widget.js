// Aftercare web chat: embed with
//   <script src="https://desk.example/static/conversations/chat-widget.js"
//           data-merchant="shop-slug" data-portal="0" defer></script>
// It keeps the visitor's token in localStorage, listens on a WebSocket (ws/chat/) and falls
// back to polling when the socket cannot connect (another origin, a proxy without upgrades).
(function () {
  "use strict";
  var script = document.currentScript;
  var merchant = script.dataset.merchant;
  var base = script.dataset.base || new URL(script.src).origin;
  var portal = script.dataset.portal === "1";
  var key = "aftercare-chat-" + merchant + (portal ? "-portal" : "");
  var POLL_MS = 3000;
  var token = localStorage.getItem(key);
  var lastId = 0;
  var socket = null;
  var pollTimer = null;
  var texts = {
    title: script.dataset.title || "Chat with us",
    placeholder: script.dataset.placeholder || "Type a message",
    send: script.dataset.send || "Send",
    typing: script.dataset.typing || "Typing…",
    read: script.dataset.read || "Read"
  };

  var root = document.createElement("div");
  root.id = "aftercare-chat";
  root.setAttribute("style", "position:fixed;right:16px;bottom:16px;width:320px;max-height:460px;display:flex;flex-direction:column;background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);font:14px sans-serif;z-index:9999");
  root.innerHTML = '<div style="padding:8px 12px;background:#485fc7;color:#fff;border-radius:8px 8px 0 0"></div>' +
    '<div class="ac-log" role="log" aria-live="polite" style="flex:1;overflow:auto;padding:8px;min-height:200px"></div>' +
    '<div class="ac-typing" hidden style="padding:0 8px;color:#888;font-size:12px"></div>' +
    '<form class="ac-form" style="display:flex;gap:4px;padding:8px"><input class="ac-input" style="flex:1" maxlength="4000"><button class="ac-send" type="submit"></button></form>';
  root.firstChild.textContent = texts.title;
  var log = root.querySelector(".ac-log");
  var input = root.querySelector(".ac-input");
  var typingHint = root.querySelector(".ac-typing");
  input.placeholder = texts.placeholder;
  input.setAttribute("aria-label", texts.placeholder);
  root.querySelector(".ac-send").textContent = texts.send;
  typingHint.textContent = texts.typing;
  document.body.appendChild(root);

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
      .then(function (body) { token = body.token; localStorage.setItem(key, token); return token; });
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
    bubble.setAttribute("style", "display:inline-block;padding:6px 10px;border-radius:12px;white-space:pre-wrap;background:" + (mine ? "#e8edff" : "#f1f1f1"));
    bubble.textContent = message.body;  // text only: nothing from the wire becomes HTML
    row.appendChild(bubble);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    if (!mine) { typingHint.hidden = true; markRead(); }
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

  function markRead() {
    if (document.visibilityState === "visible") { api("/desk/chat/read/", { method: "POST" }); }
  }

  function poll() {
    return api("/desk/chat/messages/?after=" + lastId).then(function (r) {
      if (r.status === 401) { localStorage.removeItem(key); token = null; return ensureToken(); }
      return r.json().then(function (body) {
        (body.messages || []).forEach(show);
        showAgentRead(body.agent_read_at);
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

  root.dataset.live = "polling";
  ensureToken().then(function () { poll(); startPolling(); connect(); });
})();
