// The Preview page's frame keeps its device width (1280 or 390 px: the sample site lays itself out for it)
// and is drawn zoomed out to the width the page has, so nothing of it is cut off or needs a sideways
// scrollbar. Without this script the frame's box scrolls sideways instead.
(() => {
  "use strict";
  const fit = (wrap, frame) => {
    const scale = Math.min(1, wrap.clientWidth / Number(frame.getAttribute("width")));
    // CSS zoom, not a transform: the frame's box takes the smaller size in the layout, while the page
    // inside still has the device's width (its innerWidth stays 1280 or 390).
    frame.style.zoom = scale < 1 ? String(scale) : "";
    wrap.classList.toggle("tc-preview-frame-wrap--scaled", scale < 1);
  };
  const start = () => {
    for (const wrap of document.querySelectorAll(".tc-preview-frame-wrap")) {
      const frame = wrap.querySelector(".tc-preview-frame");
      if (!frame) continue;
      fit(wrap, frame);
      new ResizeObserver(() => fit(wrap, frame)).observe(wrap);
    }
  };
  // Loaded in the page's head (the admin's media): the frame is there once the document is parsed.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
