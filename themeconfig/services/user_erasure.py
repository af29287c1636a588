"""Erasing a staff user's personal data (issue 18, GDPR): the user's e-mail, names and username are
replaced by a stable pseudonym (themeconfig/platform/pseudonyms.py) everywhere they appear: the user
row itself (which stays, inactive and unusable, so foreign keys hold), every `*_by` column and job
`principal` of every tenant (columns found in the catalog, so columns added later are covered),
audit rows (actor, and the e-mail inside old/new values; the IP address removed), invitations sent
to the e-mail; the user's sessions are deleted.

On the service connection: a user may belong to several tenants, and the audit log is append-only
for every role, so its rows are rewritten by `theme_config.audit_log_pseudonymize`, a function the
migrator owns. One transaction: the user is erased everywhere or nowhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections

from themeconfig.platform import encryption
from themeconfig.platform.errors import CoreErrorCode, DomainError
from themeconfig.platform.pseudonyms import pseudonym
from themeconfig.platform.service_db import service_context
from themeconfig.platform.tenant_tables import SCHEMAS

_ACTOR_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0
   AND NOT a.attisdropped AND c.relname <> 'audit_log'
   AND ((a.attname LIKE '%%\\_by' AND format_type(a.atttypid, a.atttypmod) = 'text')
        OR (a.attname = 'principal' AND format_type(a.atttypid, a.atttypmod) = 'jsonb'))
 ORDER BY 1, 2, 3
"""


@dataclass(frozen=True)
class UserErased:
    user_id: int
    pseudonym: str
    rows: dict[str, int]


def _user(identifier: str, alias: str) -> User:
    users = get_user_model().objects.using(alias)
    found = users.filter(pk=int(identifier)).first() if identifier.isdigit() else \
        users.filter(email__iexact=identifier).order_by("pk").first()
    if found is None:
        raise DomainError(CoreErrorCode.NOT_FOUND, f"No staff user {identifier!r}.", http_status=404)
    return found


def user_erase(*, identifier: str) -> UserErased:
    """Erases the personal data of the staff user with this id or e-mail; running it again changes nothing."""
    rows: dict[str, int] = {}
    with service_context() as alias, connections[alias].cursor() as cursor:
        user = _user(identifier, alias)
        name = pseudonym("erased-user", str(user.pk))
        actor, erased_actor = f"user:{user.pk}", f"user:{name}"
        needles = sorted({value for value in (user.email, user.username, user.get_full_name(), user.first_name,
                                             user.last_name) if value and value != name and len(value) >= 3})
        cursor.execute(_ACTOR_COLUMNS_SQL, [list(SCHEMAS)])
        for schema, table, column, kind in cursor.fetchall():
            if kind == "text":
                cursor.execute(f'UPDATE "{schema}"."{table}" SET "{column}" = %s WHERE "{column}" = %s',
                               [erased_actor, actor])
            else:
                cursor.execute(f'UPDATE "{schema}"."{table}" SET "{column}" = jsonb_set("{column}", '
                               "'{actor_id}', to_jsonb(%s::text)) "
                               f"WHERE \"{column}\"->>'actor_kind' = 'user' AND \"{column}\"->>'actor_id' = %s",
                               [name, str(user.pk)])
            if cursor.rowcount:
                rows[f"{schema}.{table}.{column}"] = cursor.rowcount
        if user.email:
            # The address is encrypted at rest; invitations are found by its look-up hash (every key's).
            erased_address = f"{name}@erased.invalid"
            cursor.execute("UPDATE theme_config.invitations SET email = %s, email_hash = %s WHERE email_hash = ANY(%s)",
                           [encryption.encrypt(erased_address), encryption.lookup_hash(erased_address),
                            encryption.lookup_hashes(user.email.strip().lower())])
            rows["theme_config.invitations.email"] = cursor.rowcount
        cursor.execute("SELECT DISTINCT tenant_id FROM theme_config.audit_log WHERE actor = %s "
                       "UNION SELECT tenant_id FROM theme_config.memberships WHERE user_id = %s "
                       "UNION SELECT tenant_id FROM theme_config.invitations WHERE accepted_by_user_id = %s "
                       "ORDER BY 1", [actor, user.pk, user.pk])
        audit = 0
        for (tenant_id,) in cursor.fetchall():
            cursor.execute("SELECT theme_config.audit_log_pseudonymize(%s, %s, %s, %s)",
                           [tenant_id, actor, erased_actor, needles])
            audit += cursor.fetchone()[0]
        rows["theme_config.audit_log"] = audit
        get_user_model().objects.using(alias).filter(pk=user.pk).update(
            username=name, email=f"{name}@erased.invalid", first_name="", last_name="", is_active=False,
            password=make_password(None))
        sessions = [session.pk for session in Session.objects.using(alias).all()
                    if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)]
        rows["django_session"] = Session.objects.using(alias).filter(pk__in=sessions).delete()[0]
    return UserErased(user_id=user.pk, pseudonym=name, rows=rows)
