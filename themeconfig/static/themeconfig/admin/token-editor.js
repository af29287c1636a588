/* Token colour editor (themeconfig/admin/token_editor.py's TokenColorsWidget), plain JavaScript.

   Keeps each token's <input type=color> and its text input in sync and recomputes the WCAG 2.x
   contrast ratio and PASS/FAIL badge of every pair row the server rendered (data-foreground,
   data-background, data-minimum: themeconfig/validators/contrast.py's CONTRAST_PAIRS) whenever a
   colour changes. Same arithmetic as contrast.py: sRGB clipped to 0..1, a translucent foreground
   over its background and a translucent background over white, relative luminance
   0.2126 R + 0.7152 G + 0.0722 B of the linearised channels, (L1 + 0.05) / (L2 + 0.05).
   Parses hex, rgb()/rgba(), hsl()/hsla(), hwb() and the CSS named colours; any other syntax
   (oklch(), lab(), color() …) shows "—" for its pairs rather than a wrong ratio, except while
   the value is still the one the server rendered: then the server's sRGB of it (data-server-srgb)
   is used.
*/
(function () {
  "use strict";

  var NAMED = {
    aliceblue:'f0f8ff',antiquewhite:'faebd7',aqua:'00ffff',aquamarine:'7fffd4',azure:'f0ffff',beige:'f5f5dc',
    bisque:'ffe4c4',black:'000000',blanchedalmond:'ffebcd',blue:'0000ff',blueviolet:'8a2be2',brown:'a52a2a',
    burlywood:'deb887',cadetblue:'5f9ea0',chartreuse:'7fff00',chocolate:'d2691e',coral:'ff7f50',
    cornflowerblue:'6495ed',cornsilk:'fff8dc',crimson:'dc143c',cyan:'00ffff',darkblue:'00008b',
    darkcyan:'008b8b',darkgoldenrod:'b8860b',darkgray:'a9a9a9',darkgrey:'a9a9a9',darkgreen:'006400',
    darkkhaki:'bdb76b',darkmagenta:'8b008b',darkolivegreen:'556b2f',darkorange:'ff8c00',darkorchid:'9932cc',
    darkred:'8b0000',darksalmon:'e9967a',darkseagreen:'8fbc8f',darkslateblue:'483d8b',darkslategray:'2f4f4f',
    darkslategrey:'2f4f4f',darkturquoise:'00ced1',darkviolet:'9400d3',deeppink:'ff1493',deepskyblue:'00bfff',
    dimgray:'696969',dimgrey:'696969',dodgerblue:'1e90ff',firebrick:'b22222',floralwhite:'fffaf0',
    forestgreen:'228b22',fuchsia:'ff00ff',gainsboro:'dcdcdc',ghostwhite:'f8f8ff',gold:'ffd700',
    goldenrod:'daa520',gray:'808080',grey:'808080',green:'008000',greenyellow:'adff2f',honeydew:'f0fff0',
    hotpink:'ff69b4',indianred:'cd5c5c',indigo:'4b0082',ivory:'fffff0',khaki:'f0e68c',lavender:'e6e6fa',
    lavenderblush:'fff0f5',lawngreen:'7cfc00',lemonchiffon:'fffacd',lightblue:'add8e6',lightcoral:'f08080',
    lightcyan:'e0ffff',lightgoldenrodyellow:'fafad2',lightgray:'d3d3d3',lightgrey:'d3d3d3',
    lightgreen:'90ee90',lightpink:'ffb6c1',lightsalmon:'ffa07a',lightseagreen:'20b2aa',lightskyblue:'87cefa',
    lightslategray:'778899',lightslategrey:'778899',lightsteelblue:'b0c4de',lightyellow:'ffffe0',
    lime:'00ff00',limegreen:'32cd32',linen:'faf0e6',magenta:'ff00ff',maroon:'800000',
    mediumaquamarine:'66cdaa',mediumblue:'0000cd',mediumorchid:'ba55d3',mediumpurple:'9370d8',
    mediumseagreen:'3cb371',mediumslateblue:'7b68ee',mediumspringgreen:'00fa9a',mediumturquoise:'48d1cc',
    mediumvioletred:'c71585',midnightblue:'191970',mintcream:'f5fffa',mistyrose:'ffe4e1',moccasin:'ffe4b5',
    navajowhite:'ffdead',navy:'000080',oldlace:'fdf5e6',olive:'808000',olivedrab:'6b8e23',orange:'ffa500',
    orangered:'ff4500',orchid:'da70d6',palegoldenrod:'eee8aa',palegreen:'98fb98',paleturquoise:'afeeee',
    palevioletred:'d87093',papayawhip:'ffefd5',peachpuff:'ffdab9',peru:'cd853f',pink:'ffc0cb',plum:'dda0dd',
    powderblue:'b0e0e6',purple:'800080',rebeccapurple:'663399',red:'ff0000',rosybrown:'bc8f8f',
    royalblue:'4169e1',saddlebrown:'8b4513',salmon:'fa8072',sandybrown:'f4a460',seagreen:'2e8b57',
    seashell:'fff5ee',sienna:'a0522d',silver:'c0c0c0',skyblue:'87ceeb',slateblue:'6a5acd',slategray:'708090',
    slategrey:'708090',snow:'fffafa',springgreen:'00ff7f',steelblue:'4682b4',tan:'d2b48c',teal:'008080',
    thistle:'d8bfd8',tomato:'ff6347',turquoise:'40e0d0',violet:'ee82ee',wheat:'f5deb3',white:'ffffff',
    whitesmoke:'f5f5f5',yellow:'ffff00',yellowgreen:'9acd32'
  };

  var NUMBER = "[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[+-]?\\d+)?";

  function clamp01(x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

  // One component: "50%" → 0.5 of `percentScale`, "128" → 128 / `numberScale`.
  function component(text, numberScale, percentScale) {
    if (text === "none") return 0;
    var m = new RegExp("^(" + NUMBER + ")(%?)$", "i").exec(text);
    if (!m) return null;
    var value = parseFloat(m[1]);
    return m[2] ? (value / 100) * percentScale : value / numberScale;
  }

  function alphaOf(text) {
    if (text === undefined) return 1;
    var value = component(text, 1, 1);
    return value === null ? null : clamp01(value);
  }

  function hue(text) {
    if (text === "none") return 0;
    var m = new RegExp("^(" + NUMBER + ")(deg|grad|rad|turn)?$", "i").exec(text);
    if (!m) return null;
    var value = parseFloat(m[1]);
    var unit = (m[2] || "deg").toLowerCase();
    if (unit === "grad") value = value * 0.9;
    else if (unit === "rad") value = value * 180 / Math.PI;
    else if (unit === "turn") value = value * 360;
    return ((value % 360) + 360) % 360;
  }

  // The arguments of fn(...): comma-separated (legacy) or space-separated with "/ alpha".
  function args(body) {
    body = body.trim();
    var parts;
    if (body.indexOf(",") !== -1) {
      if (body.indexOf("/") !== -1) return null;
      parts = body.split(",").map(function (s) { return s.trim(); });
      if (parts.length === 4) return { channels: parts.slice(0, 3), alpha: parts[3] };
      return parts.length === 3 ? { channels: parts, alpha: undefined } : null;
    }
    var slash = body.split("/");
    if (slash.length > 2) return null;
    parts = slash[0].trim().split(/\s+/);
    if (parts.length !== 3) return null;
    var alpha = slash.length === 2 ? slash[1].trim() : undefined;
    if (alpha === "") return null;
    return { channels: parts, alpha: alpha };
  }

  function hslToRgb(h, s, l) {
    function f(n) {
      var k = (n + h / 30) % 12;
      var a = s * Math.min(l, 1 - l);
      return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    }
    return [f(0), f(8), f(4)];
  }

  function hwbToRgb(h, w, b) {
    if (w + b >= 1) { var gray = w / (w + b); return [gray, gray, gray]; }
    return hslToRgb(h, 1, 0.5).map(function (c) { return c * (1 - w - b) + w; });
  }

  /* {r, g, b, a} with channels in 0..1 (clipped), or null when this script cannot parse the value. */
  function parseColor(value) {
    var text = String(value || "").trim().toLowerCase();
    if (!text) return null;
    var m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(text);
    if (m) {
      var hex = m[1];
      if (hex.length <= 4) hex = hex.split("").map(function (c) { return c + c; }).join("");
      return {
        r: parseInt(hex.slice(0, 2), 16) / 255, g: parseInt(hex.slice(2, 4), 16) / 255,
        b: parseInt(hex.slice(4, 6), 16) / 255, a: hex.length === 8 ? parseInt(hex.slice(6, 8), 16) / 255 : 1
      };
    }
    if (text === "transparent") return { r: 0, g: 0, b: 0, a: 0 };
    if (Object.prototype.hasOwnProperty.call(NAMED, text)) return parseColor("#" + NAMED[text]);
    m = /^(rgba?|hsla?|hwb)\(([^()]*)\)$/.exec(text);
    if (!m) return null;
    var parsed = args(m[2]);
    if (!parsed) return null;
    var a = alphaOf(parsed.alpha);
    if (a === null) return null;
    var c = parsed.channels, rgb;
    if (m[1] === "rgb" || m[1] === "rgba") {
      rgb = c.map(function (part) { return component(part, 255, 1); });
    } else {
      var h = hue(c[0]);
      var x = component(c[1], 100, 1), y = component(c[2], 100, 1);
      if (h === null || x === null || y === null) return null;
      x = clamp01(x); y = clamp01(y);
      rgb = m[1] === "hwb" ? hwbToRgb(h, x, y) : hslToRgb(h, x, y);
    }
    if (rgb.some(function (v) { return v === null || isNaN(v); })) return null;
    return { r: clamp01(rgb[0]), g: clamp01(rgb[1]), b: clamp01(rgb[2]), a: a };
  }

  function over(top, bottom) {
    function mix(t, b) { return t * top.a + b * (1 - top.a); }
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
  }

  function linear(c) { return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }

  function luminance(c) { return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b); }

  /* WCAG 2.x contrast ratio of two parsed colours. */
  function contrastRatio(fg, bg) {
    var background = over(bg, { r: 1, g: 1, b: 1, a: 1 });
    var foreground = over(fg, background);
    var l1 = luminance(foreground), l2 = luminance(background);
    return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  }

  function toHex(c) {
    return "#" + [c.r, c.g, c.b].map(function (v) {
      var s = Math.round(v * 255).toString(16);
      return s.length === 1 ? "0" + s : s;
    }).join("");
  }

  function Editor(root) {
    this.root = root;
    this.rows = {};
    this.live = root.querySelector("[data-live]");
    var self = this;
    Array.prototype.forEach.call(root.querySelectorAll("[data-token]"), function (row) {
      var entry = {
        row: row,
        text: row.querySelector("[data-value]"),
        picker: row.querySelector("[data-picker]"),
        swatch: row.querySelector("[data-swatch]")
      };
      self.rows[row.getAttribute("data-token")] = entry;
      entry.text.addEventListener("input", function () { self.textChanged(entry); });
      entry.text.addEventListener("change", function () { self.textChanged(entry); });
      entry.picker.addEventListener("input", function () { self.pickerChanged(entry); });
      entry.picker.addEventListener("change", function () { self.pickerChanged(entry); });
    });
    this.pairs = Array.prototype.map.call(root.querySelectorAll("[data-pair]"), function (row) {
      return {
        row: row,
        foreground: row.getAttribute("data-foreground"),
        background: row.getAttribute("data-background"),
        minimum: parseFloat(row.getAttribute("data-minimum")),
        ratio: row.querySelector("[data-ratio]"),
        badge: row.querySelector("[data-badge]"),
        sample: row.querySelector("[data-sample]")
      };
    });
  }

  /* The entry's colour: parsed here, or the server's conversion of the very same text. */
  Editor.prototype.colorOf = function (entry) {
    var color = parseColor(entry.text.value);
    if (color) return color;
    var serverValue = entry.row.getAttribute("data-server-value");
    var srgb = entry.row.getAttribute("data-server-srgb");
    if (srgb && serverValue !== null && entry.text.value.trim() === serverValue) {
      var c = srgb.split(" ").map(parseFloat);
      return { r: c[0], g: c[1], b: c[2], a: c[3] };
    }
    return null;
  };

  Editor.prototype.textChanged = function (entry) {
    var color = parseColor(entry.text.value);
    if (color) {
      entry.picker.value = toHex(color);
      entry.picker.removeAttribute("data-inexact");
    } else {
      entry.picker.setAttribute("data-inexact", "");
    }
    this.paintSwatch(entry);
    this.update(entry.row.getAttribute("data-token"));
  };

  Editor.prototype.pickerChanged = function (entry) {
    entry.text.value = entry.picker.value;
    entry.picker.removeAttribute("data-inexact");
    this.paintSwatch(entry);
    this.update(entry.row.getAttribute("data-token"));
  };

  // The browser paints any CSS colour it knows (oklch() too); a value it rejects leaves the swatch empty.
  Editor.prototype.paintSwatch = function (entry) {
    entry.swatch.style.backgroundColor = "";
    entry.swatch.style.backgroundColor = entry.text.value.trim();
  };

  /* Recomputes the pairs that use `token` (all pairs when token is undefined). */
  Editor.prototype.update = function (token) {
    var self = this, changes = [];
    this.pairs.forEach(function (pair) {
      if (token !== undefined && pair.foreground !== token && pair.background !== token) return;
      var fgEntry = self.rows[pair.foreground], bgEntry = self.rows[pair.background];
      if (!fgEntry || !bgEntry) return;
      var fg = self.colorOf(fgEntry), bg = self.colorOf(bgEntry);
      var status, text;
      if (!fg || !bg) {
        status = "unknown"; text = "—";
        pair.sample.style.color = ""; pair.sample.style.backgroundColor = "";
      } else {
        var ratio = contrastRatio(fg, bg);
        status = ratio >= pair.minimum ? "pass" : "fail";
        text = ratio.toFixed(2);
        pair.sample.style.color = fgEntry.text.value.trim();
        pair.sample.style.backgroundColor = bgEntry.text.value.trim();
      }
      var label = status === "pass" ? "PASS" : (status === "fail" ? "FAIL" : "—");
      if (pair.badge.textContent !== label) {
        changes.push(pair.foreground + " on " + pair.background + ": " + (status === "unknown" ? "not computed" : label + " " + text));
      }
      pair.ratio.textContent = text;
      pair.badge.textContent = label;
      pair.badge.className = "token-editor__badge token-editor__badge--" + status;
    });
    if (this.live && changes.length) this.live.textContent = changes.join("; ");
  };

  function init(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("[data-token-editor]"), function (root) {
      if (root.tokenEditor) return;
      root.tokenEditor = new Editor(root);
    });
  }

  window.themeconfigTokenEditor = { init: init, parseColor: parseColor, contrastRatio: contrastRatio };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
