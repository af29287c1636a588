/* The progress widget of jobs of every kind (themeconfig/platform/jobs/progress.py). Each element with a
   data-job-poll-url (a publish job's progress region, an AI generation job's table row, …) is followed:
   its JSON answer is asked for about every second, and whenever the job's state changes the element is
   drawn again in place from the answer's "html" (the server's own fragment; an aria-live region inside
   says the change), until the job has succeeded or failed. Then, the redraw hook:
   - the answer's "refreshed" parts (element id → HTML: what the job changed on the page, drawn anew by
     the kind's view) replace those elements, so e.g. a new AI suggestion appears without a reload;
   - the flash message that said the job was under way (li.tc-job-started) goes, the element saying
     what is true now;
   - a "job:finished" event (bubbling, detail = the answer) is sent from the element, for a kind's own
     script to redraw more.
   When no followed job is still open, the Refresh links (data-job-refresh) are hidden. Without this file
   a page shows the state it was drawn with and its Refresh link. No library. */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  var MAX_INTERVAL_MS = 10000;
  var MAX_FAILURES = 6;
  var open = 0;

  function hideRefresh() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-job-refresh]"), function (link) {
      var holder = link.tagName === "A" && link.parentNode ? link.parentNode : link;
      holder.hidden = true;
    });
  }

  function dropStartedMessages() {
    Array.prototype.forEach.call(document.querySelectorAll(".messagelist li.tc-job-started"), function (item) {
      var list = item.parentNode;
      list.removeChild(item);
      if (!list.querySelector("li") && list.parentNode) { list.parentNode.removeChild(list); }
    });
  }

  function finish(element, data) {
    element.setAttribute("data-job-finished", "true");
    element.removeAttribute("data-job-poll-url");
    Object.keys(data.refreshed || {}).forEach(function (id) {
      var part = document.getElementById(id);
      if (part) { part.innerHTML = data.refreshed[id]; }
    });
    dropStartedMessages();
    open -= 1;
    if (open <= 0) { hideRefresh(); }
    var event;
    try {
      event = new window.CustomEvent("job:finished", {bubbles: true, detail: data});
    } catch (e) {
      event = document.createEvent("CustomEvent");
      event.initCustomEvent("job:finished", true, false, data);
    }
    element.dispatchEvent(event);
  }

  function follow(element) {
    var url = element.getAttribute("data-job-poll-url");
    var seen = element.getAttribute("data-job-status") + "|" + element.getAttribute("data-job-attempts");
    var failures = 0;

    function note(text) {
      var holder = element.closest("[data-job-widget]") || document;
      var target = holder.querySelector("[data-job-poll-note]");
      if (target) { target.textContent = text; }
    }

    function later(ms) { window.setTimeout(poll, ms); }

    function show(data) {
      var job = data.job;
      var state = job.status + "|" + job.attempts;
      if (state !== seen) {
        seen = state;
        if (typeof data.html === "string") { element.innerHTML = data.html; }
        element.setAttribute("data-job-status", job.status);
        element.setAttribute("data-job-attempts", job.attempts);
      }
      if (job.finished) {
        finish(element, data);
        return;
      }
      later(INTERVAL_MS);
    }

    function lost() {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        note("Lost touch with the server; use Refresh to see where the job is.");
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
        .then(function (data) { failures = 0; note(""); show(data); }, lost);
    }

    later(INTERVAL_MS);
  }

  function start() {
    if (!window.fetch) { return; }
    var elements = Array.prototype.filter.call(document.querySelectorAll("[data-job-poll-url]"), function (element) {
      return element.getAttribute("data-job-finished") !== "true";
    });
    open = elements.length;
    elements.forEach(follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
