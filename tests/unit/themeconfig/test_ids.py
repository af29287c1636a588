"""Prefixed ULID-style ids: shape, validation, ordering by time, no duplicates within a millisecond."""
import time

import pytest
from django.core.exceptions import ValidationError

from themeconfig.platform.ids import PREFIXES, is_valid_id, new_event_id, new_id, validate_id


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_new_id__any_prefix__26_chars_and_valid(prefix):
    value = new_id(prefix)
    assert len(value) == 26 and value.startswith(prefix + "_")
    assert is_valid_id(value, prefix)


def test_new_id__many_in_one_millisecond__all_distinct():
    ids = [new_id("thm") for _ in range(20_000)]
    assert len(set(ids)) == len(ids)


def test_new_id__later__sorts_after():
    first = new_id("thv")
    time.sleep(0.002)
    assert new_id("thv") > first


def test_new_id__unknown_prefix__refused():
    with pytest.raises(ValueError):
        new_id("zzz")


@pytest.mark.parametrize(
    "value",
    [
        "", None, 42, "thm_", "thm_01M84PX9M9SYNQ39P6SWS", "thm_01M84PX9M9SYNQ39P6SWS9X",
        "thm_01M84PX9M9SYNQ39P6SWSI", "THM_01M84PX9M9SYNQ39P6SWS9", "zzz_01M84PX9M9SYNQ39P6SWS9",
        "thm-01M84PX9M9SYNQ39P6SWS9", "thm_81M84PX9M9SYNQ39P6SWS9",
    ],
)
def test_is_valid_id__malformed__false(value):
    assert not is_valid_id(value)


def test_validate_id__wrong_prefix__validation_error_with_code():
    with pytest.raises(ValidationError) as info:
        validate_id(new_id("thm"), "thv")
    assert info.value.code == "invalid_id"


def test_new_event_id__plain_ulid():
    value = new_event_id()
    assert len(value) == 26 and "_" not in value
