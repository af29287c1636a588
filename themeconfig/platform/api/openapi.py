"""OpenAPI start-up: drf-spectacular's extensions resolved once, before any request can race on them.

drf-spectacular keeps each extension's `target_class` as a dotted string and imports it lazily, in
`OpenApiGeneratorExtension._matches`, the first time a schema is generated. That is not thread
safe: for a target whose app is not installed (most of its contrib extensions), two threads both
fail the import; the first sets `target_class = None`, the second, still in its ImportError
handler, calls `cls.target_class.startswith(...)` on that None: AttributeError, a 500 for
concurrent first requests to /api/schema/ (seen under gunicorn with threads). Resolving every
target here, in one thread at start-up, leaves nothing for requests to race on.
"""
from __future__ import annotations

from drf_spectacular import extensions


def extension_bases() -> tuple[type, ...]:
    return (
        extensions.OpenApiAuthenticationExtension,
        extensions.OpenApiSerializerExtension,
        extensions.OpenApiSerializerFieldExtension,
        extensions.OpenApiViewExtension,
        extensions.OpenApiFilterExtension,
    )


def unresolved_extensions() -> list[type]:
    """Registered extensions whose target is still a dotted string (left for a request to import)."""
    return [ext for base in extension_bases() for ext in base._registry if isinstance(ext.target_class, str)]


def load_extension_targets() -> None:
    """Registers every extension (drf-spectacular's contrib ones, ours) and imports its target now."""
    import drf_spectacular.openapi  # noqa: F401  (imports drf_spectacular.contrib: its extensions)

    import themeconfig.platform.api.authentication  # noqa: F401  (our authentication extensions)

    for extension in unresolved_extensions():
        # What `_matches` would do on a request's first schema, done once here; targets of apps
        # that are not installed become None, as drf-spectacular itself leaves them.
        extension._load_class()
