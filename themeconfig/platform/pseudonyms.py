"""Stable pseudonyms for erased people and tenants: the same input always gives the same pseudonym
(so erased rows still group by who did what), and it cannot be turned back into the input without
the installation's SECRET_KEY (an HMAC, not a bare hash a dictionary of e-mails would reverse)."""
from __future__ import annotations

from django.utils.crypto import salted_hmac


def pseudonym(kind: str, value: str) -> str:
    """`<kind>-<16 hex>`, e.g. `erased-user-3f1c…` for kind `erased-user`."""
    return f"{kind}-{salted_hmac('themeconfig.pseudonym', f'{kind}:{value}', algorithm='sha256').hexdigest()[:16]}"


def tenant_pseudonym(tenant_id: str) -> str:
    return pseudonym("tenant", tenant_id)
