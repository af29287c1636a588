"""The public preview read: a preview link's secret → its version's bundle, built on the fly.

It reads through the `preview` alias only, which connects as theme_config_preview_reader: that
role reads no table and may execute theme_config.preview_bundle_inputs(token_hash) alone
(publishing/sql/0008_preview_read.sql), and theme_config.preview_image_hosts(token_hash) (0010), the
hosts the page may load images from. For a live token (unexpired, unrevoked, its theme not
deleted) the function returns, as one jsonb, everything `bundle_inputs()` reads through the ORM,
and counts the access; anything else gives NULL. Unsaved model instances are rebuilt from it and
handed to the same `build_bundle` that publishing uses, so a preview shows the very bytes a
publish of that version would store.

Reading and counting are one step of the read (one SQL function, one transaction), not a selector
plus a service: the count exists only for accesses that were answered. The transaction also holds
the build, so a build that fails leaves the count as it was.

Every other statement on the alias is refused by an execute wrapper (`install()`, called from
PublishingConfig.ready()): nothing else in the app may use the preview reader's connection.
"""
from __future__ import annotations

import hmac
import json
import re
from typing import Any

from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.db.models import Model

from publishing.bundles.build import Bundle, build_bundle
from publishing.services.preview_tokens import TOKEN_PREFIX, hash_token
from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    EmailTheme,
    LayoutPreset,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeVersion,
)
from themeconfig.validators import PresetInfo

PREVIEW_ALIAS = "preview"
PREVIEW_SQL = "SELECT theme_config.preview_bundle_inputs(%s)"
IMAGE_HOSTS_SQL = "SELECT theme_config.preview_image_hosts(%s)"
# The shape preview_token_create() gives a secret (`pvw_` + token_urlsafe(32)), with room to grow;
# anything else is not looked up at all.
SECRET_RE = re.compile(rf"^{re.escape(TOKEN_PREFIX)}[A-Za-z0-9_-]{{32,128}}$")
# Savepoint bookkeeping touches no rows (Django's test cases issue it on every alias they wrap).
_TRANSACTION_CONTROL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ", "SET CONSTRAINTS ")


class PreviewConnectionError(RuntimeError):
    """A statement other than the preview read was sent on the preview reader's connection."""


def preview_bundle(secret: str) -> Bundle | None:
    """The bundle of the version a live preview link shows, or None (unknown, expired, revoked,
    malformed, or its theme deleted: the caller answers them all alike)."""
    if not isinstance(secret, str) or not SECRET_RE.match(secret):
        return None
    token_hash = hash_token(secret)
    with transaction.atomic(using=PREVIEW_ALIAS):
        with connections[PREVIEW_ALIAS].cursor() as cursor:
            cursor.execute(PREVIEW_SQL, [token_hash])
            (document,) = cursor.fetchone()
        if document is None:
            return None
        if isinstance(document, str | bytes):  # Django leaves jsonb undecoded (its JSONField decodes)
            document = json.loads(document)
        # The database matched the hash by equality through an index; the answer is still only
        # given after a constant-time comparison of the stored hash with the secret's.
        if not hmac.compare_digest(str(document["token"]["token_hash"]).encode(), token_hash.encode()):
            transaction.set_rollback(True, using=PREVIEW_ALIAS)
            return None
        return build_bundle(**bundle_inputs_from_document(document))


def preview_image_hosts(secret: str) -> list[str]:
    """The verified hosts of a live preview link's tenant (where its page may load images), else []."""
    if not isinstance(secret, str) or not SECRET_RE.match(secret):
        return []
    with transaction.atomic(using=PREVIEW_ALIAS), connections[PREVIEW_ALIAS].cursor() as cursor:
        cursor.execute(IMAGE_HOSTS_SQL, [hash_token(secret)])
        return [row[0] for row in cursor.fetchall()]


def bundle_inputs_from_document(document: dict[str, Any]) -> dict[str, Any]:
    """`build_bundle`'s keyword arguments, as `bundle_inputs()` gives them, from the function's jsonb."""
    theme = _instance(Theme, document["theme"])
    version = _instance(ThemeVersion, document["version"])
    version.theme = theme
    presets = [_instance(LayoutPreset, row) for row in document["layout_presets"]]
    return {
        "version": version,
        "theme": theme,
        "content_blocks": [_instance(ContentBlock, row) for row in document["content_blocks"]],
        "navigation_configs": [_instance(NavigationConfig, row) for row in document["navigation_configs"]],
        "booking_flow": _instance(BookingFlowConfig, document["booking_flow"]),
        "email_theme": _instance(EmailTheme, document["email_theme"]),
        "locale_packs": [_instance(LocalePack, row) for row in document["locale_packs"]],
        # As layout_presets_for_validation() makes them.
        "presets": {
            p.key: PresetInfo(p.key, p.surface, tuple(p.supported_variants), p.supports_rtl, p.is_active)
            for p in presets
        },
    }


def _instance(model: type[Model], row: dict[str, Any] | None):
    """An unsaved `model` from its row as to_jsonb() wrote it (column → value, as the ORM would load it)."""
    if row is None:
        return None
    values = {}
    for field in model._meta.concrete_fields:
        if field.column in row:
            value = row[field.column]
            # JSON columns arrive decoded already; the others (timestamps, numerics, arrays) as JSON scalars.
            values[field.attname] = value if field.get_internal_type() == "JSONField" or value is None \
                else field.to_python(value)
    return model(**values)


def _guard(execute, sql, params, many, context):
    if not (sql in (PREVIEW_SQL, IMAGE_HOSTS_SQL) and not many) and not (isinstance(sql, str) and sql.startswith(_TRANSACTION_CONTROL)):
        raise PreviewConnectionError("the preview reader's connection serves the preview read only")
    return execute(sql, params, many, context)


def _install_guard(sender, connection, **kwargs):
    if connection.alias == PREVIEW_ALIAS and _guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(_guard)


def install() -> None:
    """Called from PublishingConfig.ready(): every preview connection gets the guard when it connects."""
    connection_created.connect(_install_guard, dispatch_uid="theme_config_preview_guard")
    if PREVIEW_ALIAS in connections and connections[PREVIEW_ALIAS].connection is not None:
        _install_guard(None, connections[PREVIEW_ALIAS])
