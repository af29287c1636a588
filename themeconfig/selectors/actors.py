"""Who the audit columns name (`user:42`, `api_key:apk_…`, `operator:seed_demo`): the people's and
the API keys' names, read in one query per kind however many actors are asked for."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model

from themeconfig.models import ApiClient
from themeconfig.platform.ids import is_valid_id
from themeconfig.platform.principal import ActorKind


def actor_identities(actors: Iterable[str | None]) -> tuple[dict[int, dict[str, Any]], dict[str, str]]:
    """(user id → {full_name, email, username}, API key id → name) of the users and the current
    tenant's keys among `actors`; another tenant's key is not found (RLS), nor a deleted user."""
    user_ids, key_ids = set(), set()
    for actor in actors:
        kind, _, ident = (actor or "").partition(":")
        if kind == ActorKind.USER and ident.isascii() and ident.isdigit() and int(ident) < 2**31:
            user_ids.add(int(ident))
        elif kind == ActorKind.API_KEY and is_valid_id(ident, "apk"):
            key_ids.add(ident)
    users = {}
    if user_ids:
        for pk, first, last, email, username in get_user_model().objects.filter(pk__in=user_ids).values_list(
                "pk", "first_name", "last_name", "email", "username"):
            users[pk] = {"full_name": f"{first} {last}".strip(), "email": email, "username": username}
    keys = dict(ApiClient.objects.filter(pk__in=key_ids).values_list("pk", "name")) if key_ids else {}
    return users, keys
