"""Who did something, as the admin names them: a person by their name (else e-mail, else username),
an API key as "API key “<its name>”", an operator's job as "Operator <name>"; the recorded actor
(`user:42`, `api_key:apk_…`) stays one hover away (the title attribute) and in each raw view.

Every page and column that shows an actor goes through `actor_label` (one actor) or `actor_names`
(many: one query per kind), and `ActorColumns` for a changelist's actor columns.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString

from themeconfig.platform.principal import ActorKind
from themeconfig.platform.request_memo import request_memo
from themeconfig.selectors.actors import actor_identities

NOBODY = "—"


class ActorName(str):
    """The actor in words (this string, as f-strings and messages use it); drawn in a template it is
    a <span> whose title is the recorded actor (`raw`)."""

    raw: str

    def __new__(cls, text: str, raw: str):
        name = super().__new__(cls, text)
        name.raw = raw
        return name

    @property
    def html(self) -> SafeString:
        if not self.raw:
            return format_html("{}", str(self))
        return format_html('<span class="tc-actor" title="{}">{}</span>', self.raw, str(self))

    def __html__(self) -> str:
        return self.html


def _name(actor: str, users: dict[int, dict], keys: dict[str, str]) -> ActorName:
    kind, _, ident = actor.partition(":")
    if kind == ActorKind.USER and ident.isdigit() and int(ident) in users:
        user = users[int(ident)]
        return ActorName(user["full_name"] or user["email"] or user["username"], actor)
    if kind == ActorKind.API_KEY:
        return ActorName(f"API key “{keys[ident]}”" if ident in keys else f"API key {ident}", actor)
    if kind == ActorKind.OPERATOR and ident:
        return ActorName(f"Operator {ident}", actor)
    if kind == ActorKind.USER and ident:
        return ActorName(f"A removed user ({ident})", actor)
    return ActorName(actor, actor)


def actor_names(actors: Iterable[str | None]) -> dict[str, ActorName]:
    """Each distinct actor among `actors` → its name; at most one query for users and one for keys,
    none for actors already named while serving the same request (a page, its header, tabs and
    columns name the same few people)."""
    wanted = {actor for actor in actors if actor}
    memo = request_memo()
    known: dict[str, ActorName] = memo.setdefault("actor_names", {}) if memo is not None else {}
    missing = wanted - known.keys()
    if missing:
        users, keys = actor_identities(missing)
        known.update({actor: _name(actor, users, keys) for actor in missing})
    return {actor: known[actor] for actor in wanted}


def actor_label(actor: str | None, names: dict[str, ActorName] | None = None) -> ActorName:
    """One actor in words ("—" for none); from `names` (actor_names) when given, else looked up."""
    if not actor:
        return ActorName(NOBODY, "")
    found = (names or {}).get(actor)
    return found if found is not None else actor_names([actor])[actor]


class ActorColumns:
    """A ModelAdmin mixin: the changelist's rows carry the names of their actor columns (`actor_fields`),
    looked up once for the page, which `actor_column(obj, field)` draws."""

    actor_fields: tuple[str, ...] = ()

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        names = actor_names(getattr(obj, field) for obj in changelist.result_list for field in self.actor_fields)
        for obj in changelist.result_list:
            obj._actor_names = names
        return changelist

    @staticmethod
    def actor_column(obj, field: str) -> SafeString:
        return actor_label(getattr(obj, field), getattr(obj, "_actor_names", None)).html
