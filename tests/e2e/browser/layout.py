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


def layout_problems(page, *, min_chars: int = 4, min_ems: float = 1.5) -> list[str]:
    """What is wrong with the page's layout, one line each (the elements named); empty when nothing is."""
    return page.evaluate(LAYOUT_PROBLEMS_JS, [min_chars, min_ems])
