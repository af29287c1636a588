/* Follows a publish job on a workspace page (publishing/tenant_admin.py): asks the page's JSON answer
   (the region's data-job-poll-url) about every second and redraws the progress region, an aria-live
   region, in place whenever the job's state changes, until it has succeeded or failed; then the parts
   of the page the job changed, as the answer draws them. Without this file the page shows the state
   it was drawn with and a Refresh link. No library. */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_INTERVAL_MS = 10000;
  var MAX_FAILURES = 6;

  function follow(region) {
    var url = region.getAttribute("data-job-poll-url");
    var note = document.querySelector("[data-job-poll-note]");
    var refresh = document.querySelector("[data-job-refresh]");
    var seen = region.getAttribute("data-job-status") + "|" + region.getAttribute("data-job-attempts");
    var failures = 0;

    function later(ms) { window.setTimeout(poll, ms); }

    function show(data) {
      var job = data.job;
      var state = job.status + "|" + job.attempts;
      if (state !== seen) {
        seen = state;
        region.innerHTML = data.html;
        region.setAttribute("data-job-status", job.status);
      }
      if (job.finished) {
        region.setAttribute("data-job-finished", "true");
        if (refresh && refresh.parentNode) { refresh.parentNode.hidden = true; }
        // The parts of the page the job changed (the version's status, the active publication, the
        // list of publications), drawn anew by the server.
        Object.keys(data.refreshed || {}).forEach(function (id) {
          var part = document.getElementById(id);
          if (part) { part.innerHTML = data.refreshed[id]; }
        });
        return;
      }
      later(INTERVAL_MS);
    }

    function lost() {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        if (note) { note.textContent = "Lost touch with the server; use Refresh to see where the job is."; }
        return;
      }
      later(Math.min(INTERVAL_MS * Math.pow(2, failures), MAX_INTERVAL_MS));
    }

    function poll() {
      window.fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
            throw new Error("unexpected answer " + response.status);
          }
          return response.json();
        })
        .then(function (data) { failures = 0; if (note) { note.textContent = ""; } show(data); }, lost);
    }

    later(INTERVAL_MS);
  }

  function start() {
    var region = document.querySelector("[data-job-poll-url]");
    if (region && region.getAttribute("data-job-finished") !== "true" && window.fetch) {
      follow(region);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
