"""Assertion helpers for contract validators: what a call raised, as (path, code) pairs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from themeconfig.validators import ContractViolation


def violation_of(validator: Callable, *args, **kwargs) -> ContractViolation:
    with pytest.raises(ContractViolation) as raised:
        validator(*args, **kwargs)
    return raised.value


def issues_of(validator: Callable, *args, **kwargs) -> list[tuple[str, str]]:
    """The (path, code) of every issue `validator` raised, in the violation's (path) order."""
    return [(issue.path, issue.code) for issue in violation_of(validator, *args, **kwargs).issues]


def assert_issues(expected: list[tuple[str, str]], validator: Callable, *args, **kwargs) -> None:
    """The call raises exactly these issues (order-insensitive)."""
    assert sorted(issues_of(validator, *args, **kwargs)) == sorted(expected)
