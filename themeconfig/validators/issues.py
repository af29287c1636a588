"""How contract validators report problems: `Issue`, `ContractViolation` and the collector they share.

Every validator walks the whole value, records every problem it finds in an `IssueCollector`
and raises one `ContractViolation` at the end, so an editor sees all mistakes at once.
Paths are RFC 6901 JSON pointers relative to the validated value ("" is the value itself).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

# Codes emitted by the shared shape checks below; every validator module includes them.
ISSUE_CODES: tuple[str, ...] = (
    "empty",
    "invalid_choice",
    "invalid_type",
    "out_of_range",
    "required",
    "too_long",
    "too_many_items",
    "unknown_key",
)

# Returned by check helpers when the value was rejected, so callers can tell "invalid" from None.
INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID", "__bool__": lambda self: False})()


@dataclass(frozen=True)
class Issue:
    """One problem in a validated value."""

    path: str  # RFC 6901 JSON pointer relative to the validated value; "" = the whole value
    code: str  # stable snake_case code; never renamed or reused
    message: str  # human sentence naming what is wrong and what is allowed

    def prefixed(self, pointer: str) -> Issue:
        return replace(self, path=pointer + self.path)

    def as_error(self) -> dict[str, str]:
        """The `{path, code, message}` entry of an RFC 9457 problem's `errors[]`."""
        return {"path": self.path, "code": self.code, "message": self.message}


def escape_token(token: object) -> str:
    """One JSON-pointer reference token: `~` becomes `~0` and `/` becomes `~1` (RFC 6901 §3)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def child_path(parent: str, *tokens: object) -> str:
    """The pointer of a member (or nested members) of the value at `parent`."""
    return parent + "".join("/" + escape_token(token) for token in tokens)


def _path_sort_key(path: str) -> tuple:
    # Array indices compare as numbers so "/2" sorts before "/10".
    if path == "":
        return ()
    tokens = path[1:].split("/")
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in tokens)


class ContractViolation(Exception):
    """A value broke its JSONB contract; `issues` holds every problem found, sorted by path."""

    def __init__(self, issues: Iterable[Issue]):
        unique: dict[Issue, None] = dict.fromkeys(issues)  # drop exact repeats, keep discovery order
        self.issues: list[Issue] = sorted(unique, key=lambda issue: _path_sort_key(issue.path))
        summary = "; ".join(f"{issue.path or '/'}: {issue.code}" for issue in self.issues[:5])
        if len(self.issues) > 5:
            summary += f"; and {len(self.issues) - 5} more"
        super().__init__(summary or "contract violated")

    def prefixed(self, pointer: str) -> ContractViolation:
        """The same issues with their paths placed under `pointer` (e.g. "/tokens")."""
        return ContractViolation(issue.prefixed(pointer) for issue in self.issues)

    def as_errors(self) -> list[dict[str, str]]:
        return [issue.as_error() for issue in self.issues]


class IssueCollector:
    """Accumulates issues while a validator walks a value, plus the shape checks every contract needs."""

    def __init__(self, allowed_codes: Iterable[str]):
        self.allowed_codes = frozenset(allowed_codes)
        self.issues: list[Issue] = []

    def add(self, path: str, code: str, message: str) -> None:
        # A code missing from the module's ISSUE_CODES is a programming error the tests must catch.
        assert code in self.allowed_codes, f"issue code {code!r} is not declared in ISSUE_CODES"
        self.issues.append(Issue(path, code, message))

    def extend(self, violation: ContractViolation, pointer: str = "") -> None:
        for issue in violation.issues:
            self.add(pointer + issue.path, issue.code, issue.message)

    def raise_if_any(self) -> None:
        if self.issues:
            raise ContractViolation(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    # Shape checks. Each returns the (normalised) value, or INVALID after recording one issue.

    def object(self, value: Any, path: str, *, what: str = "an object") -> dict | Any:
        if not isinstance(value, Mapping):
            self.add(path, "invalid_type", f"Expected {what}, got {json_type(value)}.")
            return INVALID
        return value

    def array(
        self, value: Any, path: str, *, what: str = "an array", max_items: int | None = None
    ) -> list | Any:
        if not isinstance(value, (list, tuple)):
            self.add(path, "invalid_type", f"Expected {what}, got {json_type(value)}.")
            return INVALID
        if max_items is not None and len(value) > max_items:
            self.add(path, "too_many_items", f"At most {max_items} items are allowed, got {len(value)}.")
            return INVALID
        return value

    def keys(
        self, obj: Mapping, path: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> bool:
        """Report missing required members and members outside required + optional; True when clean."""
        required = tuple(required)
        allowed = set(required) | set(optional)
        clean = True
        for key in required:
            if key not in obj:
                self.add(child_path(path, key), "required", f"'{key}' is required.")
                clean = False
        for key in obj:
            if key not in allowed:
                self.add(
                    child_path(path, key),
                    "unknown_key",
                    f"Unknown key '{key}'; allowed keys are: {', '.join(sorted(allowed)) or 'none'}.",
                )
                clean = False
        return clean

    def boolean(self, value: Any, path: str) -> bool | Any:
        if not isinstance(value, bool):
            self.add(path, "invalid_type", f"Expected a boolean, got {json_type(value)}.")
            return INVALID
        return value

    def integer(
        self, value: Any, path: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | Any:
        # JSON has no separate integer type: 3.0 is accepted as 3, True never is.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "invalid_type", f"Expected an integer, got {json_type(value)}.")
            return INVALID
        return self._in_range(value, path, minimum, maximum)

    def number(
        self, value: Any, path: str, *, minimum: float | None = None, maximum: float | None = None
    ) -> float | Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.add(path, "invalid_type", f"Expected a finite number, got {json_type(value)}.")
            return INVALID
        return self._in_range(value, path, minimum, maximum)

    def _in_range(self, value: Any, path: str, minimum: float | None, maximum: float | None) -> Any:
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            low = "-∞" if minimum is None else f"{minimum:g}"
            high = "∞" if maximum is None else f"{maximum:g}"
            self.add(path, "out_of_range", f"{value:g} is outside the allowed range {low}..{high}.")
            return INVALID
        return value

    def text(self, value: Any, path: str, *, max_length: int, allow_empty: bool = False) -> str | Any:
        """A human-readable string, trimmed of surrounding whitespace."""
        if not isinstance(value, str):
            self.add(path, "invalid_type", f"Expected a string, got {json_type(value)}.")
            return INVALID
        trimmed = value.strip()
        if not trimmed and not allow_empty:
            self.add(path, "empty", "Must not be empty or only whitespace.")
            return INVALID
        if len(trimmed) > max_length:
            self.add(path, "too_long", f"At most {max_length} characters are allowed, got {len(trimmed)}.")
            return INVALID
        return trimmed

    def choice(self, value: Any, path: str, choices: Iterable[str]) -> str | Any:
        choices = tuple(choices)
        if not isinstance(value, str):
            self.add(path, "invalid_type", f"Expected one of {', '.join(choices)}; got {json_type(value)}.")
            return INVALID
        if value not in choices:
            self.add(path, "invalid_choice", f"'{value}' is not allowed; use one of: {', '.join(choices)}.")
            return INVALID
        return value


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__
