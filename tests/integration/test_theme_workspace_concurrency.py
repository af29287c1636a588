"""Version creation under real concurrency: committed transactions on several connections."""
from __future__ import annotations

import pytest

from themeconfig import services
from themeconfig.platform.principal import Principal

pytestmark = pytest.mark.usefixtures("committed_db")


def test_concurrent_version_creates__ordinals_n_and_n_plus_1(tenant_factory):
    import threading

    from django.db import connections

    tenant = tenant_factory()
    member = Principal.for_user(tenant_id=tenant.id, user_id=1, role="member")
    theme = services.theme_create(principal=member, name="Race")
    barrier, results, errors = threading.Barrier(4), [], []

    def create():
        try:
            barrier.wait()
            results.append(services.version_create(principal=member, theme_id=theme.pk).ordinal)
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sorted(results) == [1, 2, 3, 4]


