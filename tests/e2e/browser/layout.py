"""A page's layout checked in the browser: no text squeezed to a sliver, no sideways scroll."""
from __future__ import annotations

# Every text node of at least minChars characters in the page's content is at least minEms of its own font
# size wide (a caption run down the page a letter per line is one character wide), and the page does not
# scroll sideways. Text the page hides on purpose (visually hidden labels, closed elements) is left out.
LAYOUT_PROBLEMS_JS = """([minChars, minEms]) => {
  const HIDDEN_ON_PURPOSE = '.design-visually-hidden, .token-editor__visually-hidden, .tc-sr, .visually-hidden';
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth}px of content in ${root.clientWidth}px`);
    const outside = [...document.querySelectorAll('#content *')].filter(
      e => e.getBoundingClientRect().right > root.clientWidth + 1 && e.checkVisibility());
    for (const e of outside.filter(e => !outside.some(other => other !== e && e.contains(other))).slice(0, 5)) {
      problems.push(`<${e.tagName.toLowerCase()} id="${e.id}" class="${e.className}"> ends at ` +
                    `${Math.round(e.getBoundingClientRect().right)}px`);
    }
  }
  const walker = document.createTreeWalker(document.querySelector('#content'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (text.length < minChars || parent.closest('script, style, option, template')) continue;
    if (parent.closest(HIDDEN_ON_PURPOSE) || !parent.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const em = parseFloat(getComputedStyle(parent).fontSize);
    if (box.width < minEms * em) {
      problems.push(`${Math.round(box.width)}px wide (${Math.round(box.height)}px tall): ` +
                    `${JSON.stringify(text.slice(0, 40))} in <${parent.tagName.toLowerCase()} class="${parent.className}">`);
    }
  }
  return problems;
}"""


# Two animation frames: what a person sees after a resize, once the page's own ResizeObservers and
# resize handlers (the preview frame's zoom, for one) have run; measuring at once judged the layout of
# the width before, now and then, on a busy machine.
SETTLED_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def layout_problems(page, *, min_chars: int = 4, min_ems: float = 1.5) -> list[str]:
    """What is wrong with the page's layout, one line each (the elements named); empty when nothing is."""
    page.evaluate(SETTLED_JS)
    return page.evaluate(LAYOUT_PROBLEMS_JS, [min_chars, min_ems])


# The rule for widths, on the whole page (header included):
# - the document never scrolls sideways, and no visible element reaches past the viewport's left or right
#   edge unless a box that clips or scrolls sideways holds it (that box is then judged itself);
# - a box that clips or scrolls sideways (overflow-x other than visible) holds all its content at a desktop
#   width: at 1366 px nothing needs a sideways scrollbar, and nothing is cut off on the right;
# - on a phone (`phone`), a data table may be wider than the screen only inside its own sideways-scrolling
#   box (overflow-x auto or scroll: the scrollbar is the visible affordance) that itself fits the screen;
#   any other content (a frame, a form, text) fits the screen;
# - no text is squeezed to a sliver (the check of LAYOUT_PROBLEMS_JS above).
# Form fields scroll their own value (an <input> wider than its box is fine); text hidden on purpose
# (visually hidden labels, closed elements) is left out.
WIDTH_PROBLEMS_JS = """([minChars, minEms, phone]) => {
  const HIDDEN_ON_PURPOSE = '.design-visually-hidden, .token-editor__visually-hidden, .tc-sr, .visually-hidden';
  const OWN_SCROLL = 'input, textarea, select, option, meter, progress, script, style, template, noscript';
  const describe = e => {
    const classes = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\\s+/).join('.')}` : '';
    return `<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${classes}>`;
  };
  const problems = [];
  const root = document.documentElement;
  const viewport = root.clientWidth;
  if (root.scrollWidth > viewport + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth}px of content in ${viewport}px`);
  }
  const shown = e => !e.closest(HIDDEN_ON_PURPOSE) && e.checkVisibility({visibilityProperty: true});
  const clipsSideways = e => getComputedStyle(e).overflowX !== 'visible';
  const held = new Map();  // element → whether a box that clips or scrolls sideways holds it
  const heldByClip = e => {
    const up = e.parentElement;
    if (!up || up === document.body) return false;
    if (!held.has(up)) held.set(up, clipsSideways(up) || heldByClip(up));
    return held.get(up);
  };
  const outside = [];
  for (const e of document.body.querySelectorAll('*')) {
    // Visually hidden text is judged too: placed past the edge, it still widens the page.
    if (e.parentElement.closest(OWN_SCROLL) || !e.checkVisibility({visibilityProperty: true})) continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (!heldByClip(e) && (box.right > viewport + 1 || box.left < -1)) outside.push(e);
    if (!e.matches(OWN_SCROLL) && !e.closest(HIDDEN_ON_PURPOSE) && clipsSideways(e) &&
        e.scrollWidth > e.clientWidth + 1) {
      const style = getComputedStyle(e);
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
      const holdsTable = e.matches('table') || e.querySelector('table') !== null;
      if (!(phone && scrolls && holdsTable)) {
        problems.push(`${describe(e)} ${scrolls ? 'scrolls' : 'cuts off'} ${e.scrollWidth - e.clientWidth}px ` +
                      `sideways (${e.scrollWidth}px of content in ${e.clientWidth}px)`);
      }
    }
  }
  for (const e of outside.filter(e => !outside.some(other => other !== e && other.contains(e))).slice(0, 6)) {
    const box = e.getBoundingClientRect();
    problems.push(`${describe(e)} sticks out of the ${viewport}px viewport: ` +
                  `${Math.round(box.left)}px to ${Math.round(box.right)}px`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (text.length < minChars || parent.closest(OWN_SCROLL) || !shown(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const em = parseFloat(getComputedStyle(parent).fontSize);
    if (box.width < minEms * em) {
      problems.push(`text ${Math.round(box.width)}px wide (${Math.round(box.height)}px tall): ` +
                    `${JSON.stringify(text.slice(0, 40))} in ${describe(parent)}`);
    }
  }
  return problems;
}"""


def width_problems(page, *, phone: bool, min_chars: int = 4, min_ems: float = 1.5) -> list[str]:
    """What breaks the rule for widths above on the page, one line each; empty when nothing does."""
    page.evaluate(SETTLED_JS)
    return page.evaluate(WIDTH_PROBLEMS_JS, [min_chars, min_ems, phone])
