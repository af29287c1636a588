/* Follows the AI generation jobs on a workspace page (ai_workspace/admin/): for each unfinished job's
   row (data-ai-job-poll-url), asks the page's JSON answer about every second and updates the row's
   badge and status text (an aria-live region) in place, until the job has succeeded or failed; then
   shows the link to its draft. Without this file the page shows the state it was drawn with and a
   Refresh link. No library; text only (never HTML from the answer). */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_INTERVAL_MS = 10000;
  var MAX_FAILURES = 6;
  var open = 0;

  function setBadge(row, job) {
    var badge = row.querySelector("[data-ai-job-badge] .tc-badge");
    if (!badge) { return; }
    badge.textContent = job.status_label;
    if (/^[a-z_]+$/.test(job.status)) { badge.className = "tc-badge tc-badge--" + job.status; }
  }

  function setErrors(row, job) {
    var list = row.querySelector("[data-ai-job-errors]");
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    (job.errors || []).forEach(function (error) {
      var item = document.createElement("li");
      var path = document.createElement("code");
      path.textContent = error.path || "";
      item.appendChild(path);
      item.appendChild(document.createTextNode(": " + (error.message || "")));
      list.appendChild(item);
    });
    list.hidden = list.childNodes.length === 0;
  }

  function finished() {
    open -= 1;
    if (open <= 0) {
      var refresh = document.querySelector("[data-ai-jobs-refresh]");
      if (refresh) { refresh.hidden = true; }
    }
  }

  function follow(row) {
    var url = row.getAttribute("data-ai-job-poll-url");
    var text = row.querySelector("[data-ai-job-text]");
    var done = row.querySelector("[data-ai-job-done]");
    var failures = 0;

    function later(ms) { window.setTimeout(poll, ms); }

    function show(job) {
      if (row.getAttribute("data-ai-job-status") !== job.status || text.textContent !== job.text) {
        row.setAttribute("data-ai-job-status", job.status);
        setBadge(row, job);
        text.textContent = job.text;
        setErrors(row, job);
      }
      if (!job.finished) {
        later(INTERVAL_MS);
        return;
      }
      row.removeAttribute("data-ai-job-poll-url");
      row.setAttribute("data-ai-job-finished", "true");
      if (done && job.draft_url) {
        done.setAttribute("href", job.draft_url);
        done.hidden = false;
      }
      finished();
    }

    function lost() {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        text.textContent = text.textContent + " (Lost touch with the server; use Refresh to see where the job is.)";
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
        .then(function (data) { failures = 0; show(data.job); }, lost);
    }

    later(INTERVAL_MS);
  }

  function start() {
    if (!window.fetch) { return; }
    var rows = document.querySelectorAll("[data-ai-job-poll-url]");
    open = rows.length;
    Array.prototype.forEach.call(rows, follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
