/* The design editors of a version's page (themeconfig/admin/design/), kept in step with their inputs.
 *
 * Every drawing (the typography sample, each step's "Aa", bar or box) reads a CSS custom property named as
 * in the published bundle (--font-size-md, --spacing-lg…) from the editor's element ([data-design-vars]).
 * The server sets them for the first drawing; here each input sets its own as it changes, or removes it
 * while the value is not one the token contract would take (the drawing then falls back). Only installed
 * or generic fonts are named: nothing is fetched. Choosing a variant also chooses its preset.
 * Plain JavaScript, no library; events are delegated from the document, so it runs from <head>.
 */
(function () {
  "use strict";

  var LENGTH = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:px|rem|em)$/;
  var NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/;
  var FONT_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_ .'-]{0,63}$/u;
  var GENERIC = ["serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
    "ui-sans-serif", "ui-monospace", "ui-rounded", "math", "emoji", "fangsong"];

  // The same rule as design/scales.py css_value: a length of the contract, a weight 1..1000, a positive number.
  function cssValue(kind, text) {
    text = text.trim();
    if (kind === "length") {
      if (/^[+-]?(?:0+(?:\.0+)?|\.0+)$/.test(text)) {
        return "0px";
      }
      return LENGTH.test(text) ? text : null;
    }
    if (!NUMBER.test(text)) {
      return null;
    }
    var number = parseFloat(text);
    if (!(number > 0)) {
      return null;
    }
    if (kind === "weight") {
      return Number.isInteger(number) && number <= 1000 ? String(number) : null;
    }
    return String(number);
  }

  function fontFamily(stackText, fallback) {
    var names = stackText.split(",").map(function (part) { return part.trim(); }).filter(function (name) {
      return name && FONT_NAME.test(name) && GENERIC.indexOf(name.toLowerCase()) < 0;
    }).map(function (name) { return '"' + name + '"'; });
    if (GENERIC.indexOf(fallback) >= 0) {
      names.push(fallback);
    }
    return names.length ? names.join(", ") : null;
  }

  function setVar(root, name, value) {
    if (value === null) {
      root.style.removeProperty(name);
    } else {
      root.style.setProperty(name, value);
    }
  }

  function update(control) {
    var root = control.closest("[data-design-vars]");
    if (!root) {
      return;
    }
    var family = control.getAttribute("data-design-family");
    if (family) {
      var selector = '[data-design-family="' + CSS.escape(family) + '"]';
      var stack = root.querySelector("input" + selector);
      var fallback = root.querySelector("select" + selector);
      setVar(root, family, fontFamily(stack ? stack.value : "", fallback ? fallback.value : ""));
      return;
    }
    var variable = control.getAttribute("data-design-var");
    if (variable) {
      setVar(root, variable, cssValue(control.getAttribute("data-design-kind") || "length", control.value));
    }
  }

  function onChange(event) {
    var control = event.target;
    if (!(control instanceof Element)) {
      return;
    }
    if (control.matches("[data-design-var], [data-design-family]")) {
      update(control);
    }
    if (event.type === "change" && control.matches("select[data-design-variant-of]")) {
      var radio = document.getElementById(control.getAttribute("data-design-variant-of"));
      if (radio && !radio.checked) {
        radio.checked = true;
      }
    }
  }

  document.addEventListener("input", onChange);
  document.addEventListener("change", onChange);

  window.themeconfigDesign = { cssValue: cssValue, fontFamily: fontFamily };
})();
