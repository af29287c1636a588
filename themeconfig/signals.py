"""What themeconfig tells other apps about, since it imports none of them (publishing listens)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent once a change to where hosts resolve has committed (a host added, moved or removed, a theme
# soft-deleted or restored), with `hosts`: the names whose public resolution may differ now.
host_resolution_changed = Signal()


def host_resolution_changed_on_commit(hosts: Iterable[str], *, using: str = "default") -> None:
    """Sends host_resolution_changed for `hosts` when the caller's transaction commits; never if it rolls back."""
    hosts = sorted(set(hosts))
    if hosts:
        transaction.on_commit(lambda: host_resolution_changed.send(sender=None, hosts=hosts), using=using,
                              robust=True)
