"""JSON Merge Patch (RFC 7396): what `Content-Type: application/merge-patch+json` means on a PATCH.

The RFC's own algorithm (section 2): an object patch merges member by member, `null` removes a
member, anything else (arrays included) replaces the target whole. Eight lines, so no dependency
(the PyPI `json-merge-patch` package follows the obsoleted RFC 7386).
"""
from __future__ import annotations

from typing import Any

MEDIA_TYPE = "application/merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """`target` with `patch` applied; neither is modified."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged
