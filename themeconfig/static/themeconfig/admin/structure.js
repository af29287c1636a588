/* The structure pages' small helpers, all optional (every page works without them):
 * - a colour picker and its text input follow each other (the text is what is posted);
 * - once a structure form is changed, its status line says the change is not saved yet. */
(function () {
  "use strict";

  function expandHex(text) {
    var value = text.trim().toLowerCase();
    if (/^#[0-9a-f]{3}$/.test(value)) {
      return "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3];
    }
    return /^#[0-9a-f]{6}$/.test(value) ? value : null;
  }

  function wireColour(row) {
    var picker = row.querySelector("[data-color-picker]");
    var text = row.querySelector("[data-color-text]");
    if (!picker || !text) {
      return;
    }
    picker.addEventListener("input", function () {
      text.value = picker.value;
      text.dispatchEvent(new Event("input", { bubbles: true }));
    });
    text.addEventListener("input", function () {
      var hex = expandHex(text.value);
      if (hex) {
        picker.value = hex;
      }
    });
  }

  function wireUnsaved(form) {
    var status = form.querySelector("[data-unsaved-status]");
    if (!status) {
      return;
    }
    var note = function () {
      status.textContent = "Unsaved changes: save to keep them" +
        (form.hasAttribute("data-email-form") ? " and update the sample." : ".");
    };
    form.addEventListener("input", note);
    form.addEventListener("change", note);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-color-row]"), wireColour);
    Array.prototype.forEach.call(document.querySelectorAll("[data-structure-form]"), wireUnsaved);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
