"""Hypothesis strategies for contract values: design token sets and navigation trees."""

from __future__ import annotations

from hypothesis import strategies as st

from themeconfig.validators.tokens import GENERIC_FAMILIES, REQUIRED_COLORS, SPACING_SCALE

_LOWER = "abcdefghijklmnopqrstuvwxyz"
# Token names `[a-z][a-z0-9_-]{0,15}`; built from text() because from_regex is slow to draw from.
_NAME = st.builds(str.__add__, st.sampled_from(_LOWER), st.text(_LOWER + "0123456789_-", max_size=15))

css_colors = st.one_of(
    st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}"),
    st.integers(0, 0xFFF).map(lambda n: f"#{n:03X}"),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(
        lambda c: "rgb({} {} {})".format(*c)
    ),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 100)).map(
        lambda c: "rgb({}, {}, {}, {}%)".format(*c)
    ),
    st.tuples(st.integers(0, 359), st.integers(0, 100), st.integers(0, 100)).map(
        lambda c: "hsl({}deg {}% {}%)".format(*c)
    ),
    st.tuples(st.integers(0, 359), st.integers(0, 50), st.integers(0, 50)).map(
        lambda c: "hwb({} {}% {}%)".format(*c)
    ),
    st.tuples(st.integers(0, 100), st.integers(-100, 100), st.integers(-100, 100)).map(
        lambda c: "lab({}% {} {})".format(*c)
    ),
    st.tuples(st.integers(0, 100), st.integers(0, 40), st.integers(0, 359)).map(
        lambda c: f"oklch({c[0] / 100:.2f} {c[1] / 100:.2f} {c[2]})"
    ),
    st.sampled_from(["white", "black", "navy", "rebeccapurple", "transparent", "Teal"]),
    st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100)).map(
        lambda c: "color(display-p3 {} {} {})".format(*(v / 100 for v in c))
    ),
)


def lengths(min_px: int, max_px: int) -> st.SearchStrategy[str]:
    """px integers, or rem/em values in quarter steps, inside [min_px, max_px]."""
    return st.one_of(
        st.integers(min_px, max_px).map(lambda n: f"{n}px"),
        st.integers(-(-min_px * 4 // 16), max_px * 4 // 16).map(lambda q: f"{q / 4:g}{'rem'}"),
        st.integers(-(-min_px * 4 // 16), max_px * 4 // 16).map(lambda q: f"{q / 4:g}em"),
    )


def _named(
    values: st.SearchStrategy, *, required: tuple[str, ...] = (), min_size: int = 0, exclude=()
) -> st.SearchStrategy[dict]:
    extras = st.dictionaries(
        _NAME.filter(lambda n: n not in required and n not in exclude), values, min_size=min_size, max_size=3
    )
    fixed = st.fixed_dictionaries({name: values for name in required})
    return st.tuples(fixed, extras).map(lambda pair: {**pair[0], **pair[1]})


font_names = st.builds(
    lambda first, rest, second: f"{first}{rest} {second}".strip(),
    st.sampled_from(_LOWER.upper()),
    st.text(_LOWER, min_size=2, max_size=10),
    st.sampled_from(["", "Sans", "Serif Pro", "Display", "Neue", "Mono"]),
).filter(lambda n: n.lower() not in GENERIC_FAMILIES)
font_families = st.fixed_dictionaries(
    {"stack": st.lists(font_names, max_size=4), "fallback": st.sampled_from(GENERIC_FAMILIES)}
)


@st.composite
def spacing_scales(draw) -> dict:
    """Canonical names in order with strictly increasing px values (required ones always present),
    plus free-form names."""
    optional = draw(st.sets(st.sampled_from(["none", "xxs", "xxl", "xxxl"])))
    names = [n for n in SPACING_SCALE if n in ("xs", "sm", "md", "lg", "xl") or n in optional]
    steps = draw(st.lists(st.integers(1, 12), min_size=len(names), max_size=len(names)))
    in_rem = draw(st.booleans())  # whole-rem steps are spelled in rem, the rest in px
    scale, total = {}, draw(st.integers(0, 4))
    for name, step in zip(names, steps, strict=True):
        scale[name] = f"{total // 4}rem" if in_rem and total % 4 == 0 else f"{total * 4}px"
        total += step
    extras = draw(
        st.dictionaries(_NAME.filter(lambda n: n not in SPACING_SCALE), lengths(0, 512), max_size=2)
    )
    return {**scale, **extras}


shadows = st.fixed_dictionaries(
    {
        "offset_x": lengths(-200, 200),
        "offset_y": lengths(-200, 200),
        "blur": lengths(0, 200),
        "spread": lengths(-100, 100),
        "color": css_colors,
    },
    optional={"inset": st.booleans()},
)

easings = st.one_of(
    st.sampled_from(
        ["linear", "ease", "ease-in", "ease-out", "ease-in-out", "step-start", "step-end", "EASE-IN"]
    ),
    st.tuples(st.integers(0, 100), st.integers(-200, 200), st.integers(0, 100), st.integers(-200, 200)).map(
        lambda p: f"cubic-bezier({p[0] / 100}, {p[1] / 100}, {p[2] / 100}, {p[3] / 100})"
    ),
)

token_sets = st.fixed_dictionaries(
    {
        "color": _named(css_colors, required=REQUIRED_COLORS),
        "typography": st.fixed_dictionaries(
            {
                "families": _named(font_families, required=("body",)),
                "sizes": _named(lengths(8, 160), min_size=1),
                "weights": _named(st.sampled_from(range(100, 1000, 100)), min_size=1),
                "line_heights": _named(st.integers(5, 40).map(lambda n: n / 10), min_size=1),
            }
        ),
        "spacing": spacing_scales(),
        "radius": _named(lengths(0, 9999)),
        "shadow": st.dictionaries(_NAME, shadows, max_size=2),
        "motion": st.fixed_dictionaries(
            {
                "durations": _named(st.one_of(st.integers(0, 10_000), st.floats(0, 10_000))),
                "easings": _named(easings),
            }
        ),
        "direction": st.sampled_from(["ltr", "rtl"]),
    }
)

# A value no token leaf accepts: wrong type everywhere, and -1e300 is out of every numeric range.
garbage = st.sampled_from([None, "~garbage~", [], {"~": 1}, -1e300])


def leaf_paths(value, path: str = "") -> list[tuple[str, tuple]]:
    """(JSON pointer, key path) of every scalar leaf, list elements included."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [(path, ())]
    found = []
    for key, child in items:
        for pointer, keys in leaf_paths(child, f"{path}/{key}"):
            found.append((pointer, (key, *keys)))
    return found


# ------------------------------------------------------------------------------------------
# Navigation trees. A "shape" is a sibling list; each node in it is the list of its children.


def sibling_shapes(depth: int) -> st.SearchStrategy[list]:
    """Sibling lists whose subtrees are at most `depth` levels deep (this list counts as 1)."""
    if depth == 1:
        return st.lists(st.just([]), max_size=3)
    return st.lists(sibling_shapes(depth - 1), max_size=3)


def deep_shapes(depth: int) -> st.SearchStrategy[list]:
    """Sibling lists that reach exactly `depth` levels along at least one branch."""
    if depth == 1:
        return st.lists(st.just([]), min_size=1, max_size=3)
    return st.tuples(deep_shapes(depth - 1), st.lists(sibling_shapes(depth - 1), max_size=2)).map(
        lambda pair: [pair[0], *pair[1]]
    )


NAV_TARGETS = [
    ("page", "/rooms"),
    ("url", "https://hotel.example/offers?x=1"),
    ("url", "/spa"),
    ("anchor", "#location"),
    ("booking", "room_select"),
    ("phone", "tel:+41-22-555-0100"),
    ("email", "mailto:stay@hotel.example"),
]
nav_labels = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(
    lambda s: s.strip() != ""
)


class NavTree:
    """A built navigation tree plus what the tests need to know about it."""

    def __init__(self) -> None:
        self.items: list = []
        self.preorder: list[str] = []  # pointers of every item at depth ≤ 3, in visiting order
        self.too_deep: list[str] = []  # pointers of every item at depth 4


def build_nav_tree(draw, shape: list) -> NavTree:
    tree = NavTree()
    counter = iter(range(10_000))

    def build(siblings: list, path: str, depth: int) -> list:
        order = draw(st.permutations(range(len(siblings))))  # ordinals need not follow array order
        items = []
        for index, children in enumerate(siblings):
            item_path = f"{path}/{index}"
            if depth > 3:
                tree.too_deep.append(item_path)
            else:
                tree.preorder.append(item_path)
            kind, target = draw(st.sampled_from(NAV_TARGETS))
            item = {
                "id": f"item-{next(counter)}",
                "kind": kind,
                "target": target,
                "label": {draw(st.sampled_from(["en", "fr", "de-CH"])): draw(nav_labels)},
                "ordinal": order[index],
            }
            if draw(st.booleans()):
                item["openInNewTab"] = draw(st.booleans())
            if children or draw(st.booleans()):
                item["children"] = build(children, f"{item_path}/children", depth + 1)
            items.append(item)
        return items

    tree.items = build(shape, "", 1)
    return tree


def item_at(items: list, pointer: str) -> dict:
    node = items
    for token in pointer.strip("/").split("/"):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node
