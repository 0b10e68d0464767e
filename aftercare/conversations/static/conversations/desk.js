// The desk's live updates: the realtime feed (/ws/feed/) when it connects, polling when not.
// A new message re-renders the open conversation's message list (or the inbox rows).
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  var inbox = document.getElementById("inbox");
  var POLL_MS = 3000;
  var socket = null;
  var pollTimer = null;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function refreshThread() {
    if (!thread) { return; }
    fetch(thread.dataset.messagesUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var box = document.getElementById("messages");
        var current = document.getElementById("message-list");
        var probe = document.createElement("div");
        probe.innerHTML = html;
        var fresh = probe.querySelector("#message-list");
        if (box && fresh && (!current || current.dataset.lastId !== fresh.dataset.lastId)) {
          box.innerHTML = html;
          box.scrollTop = box.scrollHeight;
        }
      });
  }

  function refreshInbox() {
    if (!inbox) { return; }
    fetch(inbox.dataset.rowsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { inbox.innerHTML = html; } });
  }

  function refresh() { refreshThread(); refreshInbox(); }

  function onEvent(event) {
    var data = event.data || {};
    if (event.kind === "conversation.typing" && thread && String(data.conversation_id) === thread.dataset.conversation) {
      if (data.side === "customer") {
        var hint = document.getElementById("typing-indicator");
        if (hint) { hint.hidden = false; clearTimeout(hint._t); hint._t = setTimeout(function () { hint.hidden = true; }, 4000); }
      }
      return;
    }
    if (event.kind === "conversation.message" || event.kind === "conversation.changed") {
      if (!thread || String(data.conversation_id) === thread.dataset.conversation) { refresh(); }
    }
  }

  function startPolling() {
    if (pollTimer === null) { pollTimer = setInterval(refresh, POLL_MS); }
  }

  function stopPolling() {
    if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try { socket = new WebSocket(scheme + location.host + "/ws/feed/"); } catch (e) { startPolling(); return; }
    socket.onopen = function () { stopPolling(); document.body.dataset.live = "socket"; refresh(); };
    socket.onmessage = function (m) { try { onEvent(JSON.parse(m.data)); } catch (e) { /* ignore */ } };
    socket.onclose = function () {
      document.body.dataset.live = "polling";
      startPolling();
      setTimeout(connect, 10000);
    };
  }

  if (thread) {
    var lastTyping = 0;
    document.addEventListener("input", function (e) {
      if (!e.target || e.target.id !== "reply-body") { return; }
      var now = Date.now();
      if (now - lastTyping < 2500) { return; }
      lastTyping = now;
      fetch(thread.dataset.typingUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() } });
    });
  }
  // A canned reply is inserted where the cursor is, for the agent to edit before sending.
  document.addEventListener("change", function (e) {
    if (!e.target || e.target.id !== "canned-reply" || !e.target.value) { return; }
    var box = document.getElementById("reply-body");
    if (box) {
      var at = box.selectionStart || 0, end = box.selectionEnd || 0, text = e.target.value;
      box.value = box.value.slice(0, at) + text + box.value.slice(end);
      box.focus();
      box.setSelectionRange(at + text.length, at + text.length);
    }
    e.target.value = "";
  });
  document.body.dataset.live = "polling";
  startPolling();
  connect();
})();
