"""Every model reads and writes through `default` (the RLS-bound app role) unless told otherwise.

`migrate` runs on the `migrator` alias (see the migrate command); the `service` alias is only
reached through `themeconfig.platform.service_db.service_context()`, by cross-tenant
infrastructure code, and never migrates (nor does Django check migration history on it). The
`preview` alias (theme_config_preview_reader: one function, no table) is named only by
`publishing.preview`, never routed to, and never migrates either. Reads inside a lag-tolerant read
(themeconfig.platform.read_replica) go to the `readonly` replica; writes never do.
"""


from typing import Any

from django.db.models import Model

from themeconfig.platform.read_replica import replica_alias_for_reads


class RoleRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if hints.get("instance") is None:
            replica = replica_alias_for_reads()
            if replica is not None:
                return replica
        return _instance_db(hints)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return _instance_db(hints)

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db not in ("service", "readonly", "preview")


def _instance_db(hints: dict[str, Any]) -> str:
    # Related objects of an instance loaded through `service` stay on `service`.
    instance: Model | None = hints.get("instance")
    return (instance._state.db if instance is not None else None) or "default"
