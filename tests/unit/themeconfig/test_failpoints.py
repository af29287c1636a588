"""Failpoints: inert unless FAILPOINTS names them; sleep, raise (a given class), first-N passes only."""
from __future__ import annotations

import time

import pytest

from themeconfig.platform.failpoints import FailpointError, failpoint, reset_failpoint_passes


@pytest.fixture(autouse=True)
def fresh_passes():
    reset_failpoint_passes()
    yield
    reset_failpoint_passes()


def test_failpoint__not_named__does_nothing(settings):
    settings.FAILPOINTS = {"other.point": "raise"}
    failpoint("publish.in_flip")
    settings.FAILPOINTS = {}
    failpoint("publish.in_flip")


def test_failpoint__raise__oserror_by_default_or_the_named_class(settings):
    settings.FAILPOINTS = {"a": "raise", "b": "raise:TimeoutError", "c": "raise:django.db.OperationalError"}
    with pytest.raises(OSError, match="failpoint a"):
        failpoint("a")
    with pytest.raises(TimeoutError):
        failpoint("b")
    from django.db import OperationalError

    with pytest.raises(OperationalError):
        failpoint("c")


def test_failpoint__first_n_passes_only__then_passes(settings):
    settings.FAILPOINTS = {"a": "2*raise"}
    for _ in range(2):
        with pytest.raises(OSError):
            failpoint("a")
    failpoint("a")
    failpoint("a")


def test_failpoint__sleep__holds_for_the_seconds(settings):
    settings.FAILPOINTS = {"a": "sleep:0.2"}
    started = time.monotonic()
    failpoint("a")
    assert time.monotonic() - started >= 0.2


def test_failpoint__unknown_action_or_not_an_exception__refused(settings):
    settings.FAILPOINTS = {"a": "explode", "b": "raise:len"}
    with pytest.raises(FailpointError):
        failpoint("a")
    with pytest.raises(FailpointError):
        failpoint("b")

