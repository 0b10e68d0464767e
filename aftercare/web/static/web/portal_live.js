/* The customer portal follows its cases without a reload by hand: every EVERY ms (while the
   tab is visible) it asks the server for the stamp of the order's cases, and when the stamp
   has moved (an agent approved, the warehouse received the parcel...) it reloads the page.
   A customer in the middle of typing is not interrupted: a notice offers the reload instead.
   window.aftercarePortalLive.check() runs one check at once; .every(ms) changes the pace. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.liveUrl;
  var stamp = body.dataset.liveStamp;
  if (!url || !stamp) return;
  var every = 15000;
  var timer = null;

  function typing() {
    var fields = document.querySelectorAll("main input, main textarea, main select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden" || field.type === "submit") continue;
      if (document.activeElement === field) return true;
      if ((field.type === "text" || field.tagName === "TEXTAREA") && field.value) return true;
    }
    return false;
  }

  function changed() {
    if (!typing()) {
      window.location.reload();
      return;
    }
    var notice = document.getElementById("live-notice");
    if (notice) notice.hidden = false;
  }

  function check() {
    if (document.hidden) return Promise.resolve();
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && answer.stamp !== stamp) changed(); })
      .catch(function () { /* offline for a moment: the next check tries again */ });
  }

  function start(ms) {
    every = ms;
    if (timer) window.clearInterval(timer);
    timer = window.setInterval(check, every);
  }

  var reload = document.getElementById("live-reload");
  if (reload) reload.addEventListener("click", function () { window.location.reload(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
  window.aftercarePortalLive = { check: check, every: start };
  start(every);
})();
