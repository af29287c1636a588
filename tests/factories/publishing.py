"""A new version of a theme published through the use cases (the flip committed), as tests of resolve need."""
from __future__ import annotations

from publishing.models import PublishJob
from publishing.services import publish
from themeconfig import services
from themeconfig.models import Theme
from themeconfig.platform.tenant_context import tenant_context


def publish_new_version(admin, tenant, theme, text) -> PublishJob:
    """A version whose one translation is `text` (so each call publishes another bundle), published and
    flipped in this process (the caller keeps `publish.enqueue_publish_job` from reaching a broker)."""
    version = services.version_create(principal=admin, theme_id=theme.pk)
    services.locale_pack_put(principal=admin, version_id=version.pk, locale="en", entries={"a.b": text})
    with tenant_context(tenant.id):
        expected = Theme.objects.get(pk=theme.pk).version
    job = publish.version_publish(principal=admin, version_id=version.pk, expected_theme_version=expected)
    done = publish.publish_job_run(job_id=job.pk, tenant_id=tenant.id)
    assert done.status == "succeeded", done.error_code
    return done
