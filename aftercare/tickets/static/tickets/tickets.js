// Ticket console: live countdowns, live updates (WebSocket feed, polling fallback), toasts for
// the signed-in agent, and keyboard shortcuts. No framework; htmx refreshes the queue rows.
(function () {
  "use strict";
  var live = document.getElementById("tickets-live");
  if (!live) return;
  var me = parseInt(live.dataset.userId, 10);
  var words = JSON.parse(document.getElementById("tickets-words").textContent);
  var POLL_MS = 5000;

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function format(seconds) {
    var s = Math.abs(seconds);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    var text = (d ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(sec);
    return seconds < 0 ? "-" + text + " " + words.overdue : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach(function (el) {
      var left = (Date.parse(el.dataset.due) - now) / 1000;
      el.textContent = format(left);
      el.classList.toggle("is-overdue", left < 0);
      el.classList.toggle("is-soon", left >= 0 && left < 1800);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);

  function toast(message, ticketId) {
    var box = document.getElementById("toasts");
    var item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.textContent = message + " ";
    item.appendChild(text);
    if (ticketId) {
      var link = document.createElement("a");
      link.href = live.dataset.ticketUrl.replace("/0/", "/" + ticketId + "/");
      link.textContent = words.open;
      item.appendChild(link);
    }
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 12000);
  }

  function changed() {
    document.body.dispatchEvent(new CustomEvent("tickets-changed"));
  }

  var TOAST_KINDS = {
    "ticket.assigned": "assigned", "ticket.mentioned": "note", "ticket.follow_up": "follow_up",
    "ticket.escalated": "escalated", "ticket.sla_reminder": "sla_reminder"
  };

  // Polling fallback: ticket events since the last seen audit id, marked when they are for me.
  var lastId = null, pollTimer = null;
  function poll() {
    var url = live.dataset.feedUrl + (lastId === null ? "" : "?after=" + lastId);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        var first = lastId === null;
        lastId = body.last;
        if (first || !body.events.length) return;
        changed();
        body.events.forEach(function (e) { if (e.for_me) toast(e.message, e.ticket_id); });
      })
      .catch(function () {});
  }
  function startPolling() {
    if (pollTimer) return;
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }

  function connect(delay) {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try { socket = new WebSocket(scheme + location.host + "/ws/feed/"); }
    catch (err) { startPolling(); return; }
    socket.onopen = function () { stopPolling(); delay = 1000; };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (err) { return; }
      if (!event.kind || event.kind.indexOf("ticket.") !== 0) {
        if (event.kind === "agent.presence") changed();
        return;
      }
      changed();
      var data = event.data || {};
      if (TOAST_KINDS[event.kind] && (data.user_ids || []).indexOf(me) >= 0) {
        var text = words[TOAST_KINDS[event.kind]] || "%(number)s";
        toast(text.replace("%(number)s", data.number) + " " + data.subject, data.ticket_id);
      }
    };
    socket.onclose = function () {
      startPolling();
      setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(1000);

  // Keyboard: j/k move through the queue, Enter opens, "/" jumps to the filters,
  // "n" to the note box on a ticket page. Ignored while typing in a field.
  var selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".ticket-row")); }
  function select(i) {
    var list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (row, n) { row.classList.toggle("is-selected", n === selected); });
    var link = list[selected].querySelector("a");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") { select(selected + 1); e.preventDefault(); }
    else if (e.key === "k") { select(selected - 1); e.preventDefault(); }
    else if (e.key === "/") {
      var filter = document.querySelector(".ticket-filters input, .ticket-filters select");
      if (filter) { filter.focus(); e.preventDefault(); }
    } else if (e.key === "n") {
      var note = document.getElementById("note-body");
      if (note) { note.focus(); e.preventDefault(); }
    }
  });
})();
