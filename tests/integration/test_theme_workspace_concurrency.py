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


def test_block_edit_racing_a_block_added_on_its_surface__both_answered__no_deadlock(tenant_factory, django_db_setup):
    """Every writer of a version's blocks locks the version (and its theme) before a block: an edit of
    a block that locked the block first, then waited for the version, deadlocked with an add on the
    same surface (which holds the version and renumbers every block there). Here the version is held
    from a third connection while the add, then the edit queue for it; the add goes first."""
    from tests.lock_queue import queued_on_a_held_lock
    from tests.unit.themeconfig.validators import samples
    from themeconfig.errors import ThemeErrorCode
    from themeconfig.platform.errors import DomainError

    tenant = tenant_factory()
    member = Principal.for_user(tenant_id=tenant.id, user_id=1, role="member")
    theme = services.theme_create(principal=member, name="Race")
    version = services.version_create(principal=member, theme_id=theme.pk)
    text = {"en": {"format": "markdown", "value": "Hello"}}
    meta = samples.valid_meta("rich_text")
    block = services.content_block_create(principal=member, version_id=version.pk, surface="home", kind="rich_text",
                                          body=text, meta=meta)
    outcomes = queued_on_a_held_lock(
        django_db_setup, "SELECT 1 FROM theme_config.theme_versions WHERE id = %s FOR UPDATE", [version.pk], {
            "add": lambda: services.content_block_create(principal=member, version_id=version.pk, surface="home",
                                                         kind="rich_text", body=text, meta=meta, ordinal=0),
            "edit": lambda: services.content_block_update(principal=member, block_id=block.pk,
                                                          expected_version=block.version, visibility="mobile_only"),
        })
    assert getattr(outcomes["add"], "ordinal", None) == 0, outcomes
    # The add moved the block (its ordinal): the edit either lands or is told the block changed, never a 500.
    edited = outcomes["edit"]
    assert getattr(edited, "visibility", None) == "mobile_only" or (
        isinstance(edited, DomainError) and edited.code == ThemeErrorCode.VERSION_CONFLICT), outcomes
