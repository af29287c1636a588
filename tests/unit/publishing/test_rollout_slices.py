"""Who is in a rollout's slice (publishing/resolve/slices.py): the share over 100,000 visitor keys is
the target's, and a visitor's assignment is stable across calls and across widening."""
from __future__ import annotations

import pytest

from publishing.resolve.slices import Slice, bucket

KEYS = [f"visitor-{n}" for n in range(100_000)]
ROLLOUT = "rol_01JEXAMPLEROLLOUT000000A"


@pytest.mark.parametrize("percent", [1, 5, 25, 50])
def test_share_of_100k_keys__within_one_point_of_the_target(percent):
    chosen = Slice(ROLLOUT, everyone=False, basis_points=percent * 100, user_keys=frozenset())
    share = sum(chosen.includes(key) for key in KEYS) / len(KEYS) * 100
    assert abs(share - percent) <= 1, share


def test_widening__nobody_in_the_slice_leaves_it__and_calls_agree():
    steps = [Slice(ROLLOUT, False, percent * 100, frozenset()) for percent in (1, 5, 25, 50, 100)]
    previous: set[str] = set()
    for step in steps:
        members = {key for key in KEYS if step.includes(key)}
        assert previous <= members  # stable across widening
        assert all(step.includes(key) == (key in members) for key in KEYS[:10_000])  # and across calls
        previous = members
    assert len(previous) == len(KEYS)


def test_another_rollout__another_slice():
    first = {key for key in KEYS[:10_000] if bucket(ROLLOUT, key) < 1000}
    other = {key for key in KEYS[:10_000] if bucket("rol_01JEXAMPLEROLLOUT000000B", key) < 1000}
    assert first != other and len(first & other) < len(first) / 2


def test_named_keys_and_hosts__in_whatever_the_percentage__no_key__only_named_hosts():
    keyed = Slice(ROLLOUT, False, 0, frozenset({"vip"}))
    assert keyed.includes("vip") and not keyed.includes("visitor-1") and not keyed.includes(None)
    host = Slice(ROLLOUT, True, 0, frozenset())
    assert host.includes(None) and host.includes("anyone")
    assert not Slice(ROLLOUT, False, 10_000, frozenset()).includes("")
    assert not Slice(ROLLOUT, False, 10_000, frozenset()).includes("x" * 201)
