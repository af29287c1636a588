"""JSON Merge Patch as RFC 7396 defines it: its Appendix A examples, and inputs left untouched."""
from __future__ import annotations

import copy

import pytest

from themeconfig.platform.merge_patch import merge_patch

RFC_7396_APPENDIX_A = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC_7396_APPENDIX_A)
def test_merge_patch__rfc_7396_appendix_a__its_result(target, patch, expected):
    assert merge_patch(target, patch) == expected


def test_merge_patch__nested_object__target_and_patch_unchanged():
    target, patch = {"color": {"primary": "#000", "text": "#111"}}, {"color": {"primary": "#fff", "text": None}}
    before = copy.deepcopy((target, patch))

    assert merge_patch(target, patch) == {"color": {"primary": "#fff"}}
    assert (target, patch) == before
