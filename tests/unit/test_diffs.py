"""The pure diffs behind a version's Compare page (themeconfig/selectors/diffs.py): leaves, colours with
validated swatches, layout and navigation per surface, content blocks matched by what they hold, locale packs; word diffs
of texts and the moves of a reorder (the History tab's)."""
from __future__ import annotations

import pytest

from themeconfig.selectors.diffs import (
    color_diff,
    color_swatch,
    content_diff,
    layout_diff,
    leaf_diff,
    locale_packs_diff,
    navigation_diff,
    order_moves,
    surface_blocks_diff,
    text_diff,
    tokens_diff,
)

HOSTILE = 'red; background-image: url("javascript:alert(1)")'


def block(kind: str, en: str, **more) -> dict:
    return {"kind": kind, "visibility": "all", "body": {"en": {"format": "markdown", "value": en}, **more},
            "meta": {"kind": kind}}


def test_leaf_diff__nested_values__added_removed_changed_paths():
    old = {"toggles": {"a": True, "b": False}, "steps": [{"id": "search", "ordinal": 0}], "gone": 1}
    new = {"toggles": {"a": True, "b": True}, "steps": [{"id": "search", "ordinal": 1}], "fresh": "x"}
    changes = {c["path"]: (c["change"], c["old"], c["new"]) for c in leaf_diff(old, new)}
    assert changes == {
        "toggles › b": ("changed", "false", "true"),
        "steps › [search] › ordinal": ("changed", "0", "1"),
        "gone": ("removed", "1", "—"),
        "fresh": ("added", "—", "x"),
    }


def test_leaf_diff__equal_values__no_changes_and_true_is_not_one():
    assert leaf_diff({"a": [1, {"b": "c"}]}, {"a": [1, {"b": "c"}]}) == []
    assert [c["change"] for c in leaf_diff({"a": 1}, {"a": True})] == ["changed"]


def test_leaf_diff__one_side_missing__every_leaf_added():
    assert [(c["path"], c["change"]) for c in leaf_diff(None, {"tokens": {"primary": "#fff"}})] == [
        ("tokens › primary", "added")]


def test_color_swatch__css_colours_only__hex_given_and_hostile_text_refused():
    assert color_swatch("#0B5FFF")["hex"] == "#0b5fff"
    assert color_swatch("white") == {"text": "white", "hex": "#ffffff", "css": "#ffffff"}
    assert color_swatch("oklch(0.97 0.01 250)")["css"].startswith("#")
    for bad in (HOSTILE, "currentcolor", "", None, 12, "#" + "f" * 300, "url(x)"):
        assert color_swatch(bad) is None, bad


def test_color_diff__names__changed_added_removed_with_both_swatches():
    rows = {r["name"]: r for r in color_diff({"primary": "#0b5fff", "text": "#111111", "old": "red"},
                                             {"primary": "#ff0000", "text": "#111111", "new": HOSTILE})}
    assert set(rows) == {"primary", "old", "new"}
    assert rows["primary"]["change"] == "changed"
    assert (rows["primary"]["old_swatch"]["hex"], rows["primary"]["new_swatch"]["hex"]) == ("#0b5fff", "#ff0000")
    assert rows["old"]["change"] == "removed" and rows["old"]["new"] is None and rows["old"]["new_swatch"] is None
    assert rows["new"]["change"] == "added" and rows["new"]["new"] == HOSTILE and rows["new"]["new_swatch"] is None


def test_tokens_diff__colours_apart_from_other_groups():
    old = {"color": {"primary": "#000000"}, "spacing": {"md": "16px"}, "direction": "ltr"}
    new = {"color": {"primary": "#000000"}, "spacing": {"md": "20px"}, "direction": "ltr"}
    diff = tokens_diff(old, new)
    assert diff["colors"] == []
    assert [(c["path"], c["old"], c["new"]) for c in diff["other"]] == [("spacing › md", "16px", "20px")]
    assert tokens_diff(new, new) == {"colors": [], "other": []}


def test_layout_diff__per_surface__only_the_surfaces_that_differ():
    old = {"home": {"preset": "home.a", "variant": "x", "options": {}}, "search": {"preset": "s", "variant": "v"}}
    new = {"home": {"preset": "home.b", "variant": "x", "options": {}}, "search": {"preset": "s", "variant": "v"},
           "detail": {"preset": "d", "variant": "v"}}
    surfaces = {s["surface"]: s for s in layout_diff(old, new)}
    assert set(surfaces) == {"home", "detail"}
    assert surfaces["home"]["changes"] == [{"path": "preset", "change": "changed", "old": "home.a", "new": "home.b"}]
    assert surfaces["detail"]["change"] == "added"


def nav(item_id: str, label: str, target: str, ordinal: int = 0, children=()) -> dict:
    return {"id": item_id, "kind": "page", "target": target, "label": {"en": label}, "ordinal": ordinal,
            "openInNewTab": False, "children": list(children)}


def test_navigation_diff__items_by_id_across_the_tree__added_removed_changed():
    old = {"header": [nav("rooms", "Rooms", "/rooms", children=[nav("suites", "Suites", "/suites")]),
                      nav("spa", "Spa", "/spa", 1)], "footer": [nav("legal", "Legal", "/legal")]}
    new = {"header": [nav("rooms", "Our rooms", "/rooms", children=[nav("suites", "Suites", "/suites")]),
                      nav("offers", "Offers", "/offers", 1)], "footer": [nav("legal", "Legal", "/legal")]}
    surfaces = navigation_diff(old, new)
    assert [s["surface"] for s in surfaces] == ["header"]
    items = {i["id"]: i for i in surfaces[0]["items"]}
    assert {k: v["change"] for k, v in items.items()} == {"rooms": "changed", "spa": "removed", "offers": "added"}
    assert items["rooms"]["changes"] == [{"path": "label › en", "change": "changed", "old": "Rooms", "new": "Our rooms"}]
    assert items["rooms"]["label"] == "Our rooms"


def test_surface_blocks_diff__reordered_identical_blocks__one_moved_no_other_change():
    a, b, c = block("hero", "A"), block("rich_text", "B"), block("faq", "C")
    rows = surface_blocks_diff([a, b, c], [b, a, c])
    assert [(r["change"], r["old"], r["new"]) for r in rows] == [("moved", "position 1", "position 2")]


def test_surface_blocks_diff__text_edited_in_one_locale__changed_row_with_its_locale():
    old = [block("rich_text", "Hello", fr={"format": "markdown", "value": "Bonjour"})]
    new = [block("rich_text", "Hello", fr={"format": "markdown", "value": "Salut"})]
    rows = surface_blocks_diff(old, new, locales=["en", "fr"])
    assert [(r["change"], r["locale"], r["path"], r["old"], r["new"]) for r in rows] == [
        ("changed", "fr", "body › fr › value", "Bonjour", "Salut")]


def test_surface_blocks_diff__insert_at_top__added_and_nothing_moved():
    a, b = block("hero", "A"), block("faq", "B")
    rows = surface_blocks_diff([a, b], [block("policy", "<script>x</script>"), a, b])
    assert [(r["change"], r["locale"], r["new"]) for r in rows] == [("added", "en", "<script>x</script>")]


def test_surface_blocks_diff__block_gone__removed_with_its_text():
    rows = surface_blocks_diff([block("hero", "A"), block("faq", "B")], [block("hero", "A")])
    assert [(r["change"], r["old"], r["block"]) for r in rows] == [("removed", "B", "FAQ (position 2)")]


def test_content_diff__equal_surfaces__left_out():
    same = {"home": [block("hero", "A")]}
    assert content_diff(same, same) == []
    assert [s["surface"] for s in content_diff(same, {**same, "about": [block("policy", "P")]})] == ["about"]


def test_locale_packs_diff__keys_added_removed_changed_with_both_values():
    old = {"en": {"a": "A", "b": "B", "c": "C"}, "fr": {"a": "A"}}
    new = {"en": {"a": "A", "b": "Bee", "d": "D"}, "fr": {"a": "A"}, "de": {}}
    packs = {p["locale"]: p for p in locale_packs_diff(old, new)}
    assert set(packs) == {"en", "de"}
    assert [(k["key"], k["change"], k["old"], k["new"]) for k in packs["en"]["keys"]] == [
        ("b", "changed", "B", "Bee"), ("c", "removed", "C", "—"), ("d", "added", "—", "D")]
    assert packs["de"] == {"locale": "de", "change": "added", "keys": []}


def test_text_diff__one_word_changed_across_crlf__only_that_word_removed_and_added():
    runs = text_diff("Wake up to the waves\r\nand stay", "Wake up to the sea\nand stay")
    assert runs == [{"op": "same", "text": "Wake up to the "}, {"op": "removed", "text": "waves"},
                    {"op": "added", "text": "sea"}, {"op": "same", "text": "\nand stay"}]


def test_text_diff__either_side_empty__all_added_or_all_removed():
    assert text_diff("", "Hello there") == [{"op": "added", "text": "Hello there"}]
    assert text_diff("Bye", "") == [{"op": "removed", "text": "Bye"}]


@pytest.mark.parametrize(("old", "new", "moves"), [
    (["a", "b", "c", "d"], ["b", "c", "d", "a"], [{"id": "a", "old": 1, "new": 4}]),
    (["a", "b", "c"], ["a", "b", "c"], []),
    (["a", "b", "c"], ["c", "a", "b"], [{"id": "c", "old": 3, "new": 1}]),
])
def test_order_moves__reordered_ids__fewest_moves(old, new, moves):
    assert order_moves(old, new) == moves
