"""Every model reads and writes through `default` (the RLS-bound app role) unless told otherwise.

`migrate` runs on the `migrator` alias (see the migrate command); the `service` alias is only
reached through `themeconfig.platform.service_db.service_context()`, by cross-tenant
infrastructure code, and never migrates (nor does Django check migration history on it). The
`preview` alias (theme_config_preview_reader: one function, no table) is named only by
`publishing.preview`, never routed to, and never migrates either.
"""


class RoleRouter:
    def db_for_read(self, model, **hints):
        return _instance_db(hints)

    def db_for_write(self, model, **hints):
        return _instance_db(hints)

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db not in ("service", "readonly", "preview")


def _instance_db(hints) -> str:
    # Related objects of an instance loaded through `service` stay on `service`.
    instance = hints.get("instance")
    return (instance._state.db if instance is not None else None) or "default"
