"""The API's JSON parser: strict JSON, bounded nesting, no NUL characters (PostgreSQL's jsonb and
text refuse them), so hostile bodies end as a 400/422 problem before any use case runs."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any, NoReturn

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError
from themeconfig.platform.merge_patch import MEDIA_TYPE as MERGE_PATCH_MEDIA_TYPE

MAX_DEPTH = 32


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _walk(value: object, path: str, depth: int, problems: list[FieldError]) -> None:
    if len(problems) >= 20:
        return
    if depth > MAX_DEPTH:
        problems.append(FieldError(path, "too_deep", f"JSON nests at most {MAX_DEPTH} levels."))
        return
    if isinstance(value, str):
        if "\x00" in value:
            problems.append(FieldError(path, "nul_character", "Text may not contain the NUL character (\\u0000)."))
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}/{key.replace('~', '~0').replace('/', '~1')}"
            if "\x00" in key:
                problems.append(FieldError(path, "nul_character", "Keys may not contain the NUL character (\\u0000)."))
                continue
            _walk(item, child, depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}/{index}", depth + 1, problems)


class StrictJSONParser(JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError as exc:
            raise ParseError(f"JSON nests at most {MAX_DEPTH} levels.") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(f"The body is not valid UTF-8 JSON: {exc}") from exc
        problems: list[FieldError] = []
        _walk(data, "", 0, problems)
        if problems:
            raise DomainError(CoreErrorCode.VALIDATION_FAILED, "The request body has invalid values.",
                              http_status=422, errors=problems)
        return data


class MergePatchParser(StrictJSONParser):
    """`application/merge-patch+json` (RFC 7396) bodies: the same strict JSON; the view merges."""

    media_type = MERGE_PATCH_MEDIA_TYPE


def is_merge_patch(request: Request) -> bool:
    """Whether the request's body is a merge patch (after parsing: the parser chose by this type)."""
    return str(request.content_type).partition(";")[0].strip().lower() == MERGE_PATCH_MEDIA_TYPE
