"""Issue, ContractViolation and the JSON-pointer helpers every validator reports through."""

from __future__ import annotations

import pytest

from themeconfig.validators import ContractViolation, Issue
from themeconfig.validators.issues import IssueCollector, child_path, escape_token


def test_escape_token__tilde_and_slash__escaped_per_rfc_6901():
    assert escape_token("a~b/c") == "a~0b~1c"
    assert child_path("/color", "a/b", 3) == "/color/a~1b/3"
    assert child_path("") == ""


def test_contract_violation__issues__sorted_by_path_with_numeric_indices():
    violation = ContractViolation(
        [
            Issue("/10/id", "invalid_id", "m"),
            Issue("/2/id", "invalid_id", "m"),
            Issue("", "empty", "m"),
            Issue("/2", "x", "m"),
        ]
    )

    assert [issue.path for issue in violation.issues] == ["", "/2", "/2/id", "/10/id"]


def test_contract_violation__repeated_issue__kept_once():
    issue = Issue("/a", "required", "'a' is required.")

    assert ContractViolation([issue, issue]).issues == [issue]


def test_contract_violation__prefixed__moves_every_path_under_pointer():
    violation = ContractViolation(
        [Issue("", "invalid_type", "m"), Issue("/color/primary", "invalid_color", "m")]
    )

    prefixed = violation.prefixed("/tokens")

    assert [(i.path, i.code) for i in prefixed.issues] == [
        ("/tokens", "invalid_type"),
        ("/tokens/color/primary", "invalid_color"),
    ]
    assert [i.path for i in violation.issues] == ["", "/color/primary"]  # the original is unchanged


def test_contract_violation__as_errors__problem_json_entries():
    violation = ContractViolation([Issue("/a", "required", "'a' is required.")])

    assert violation.as_errors() == [{"path": "/a", "code": "required", "message": "'a' is required."}]
    assert "/a: required" in str(violation)


def test_issue__is_frozen():
    issue = Issue("/a", "required", "m")

    with pytest.raises(AttributeError):
        issue.code = "other"  # type: ignore[misc]


def test_issue_collector__undeclared_code__is_a_programming_error():
    issues = IssueCollector(["required"])

    with pytest.raises(AssertionError):
        issues.add("/a", "made_up", "m")
