"""The preview page loads nothing from third parties (issue 16): images in content load only from the
tenant's verified hosts or the configured asset hosts, which its CSP lists; any other image is drawn as
a labelled placeholder, so opening a preview never tells another host the viewer's address."""
from __future__ import annotations

import re

import pytest

from publishing.sample_site.render import gate_images
from tests.factories.admin_staff import make_staff, sign_in
from tests.factories.preview import bilingual_preview
from tests.factories.tenancy import TenantFactory
from themeconfig import services
from themeconfig.platform.principal import Principal

pytestmark = pytest.mark.usefixtures("committed_db")
BLOCK_HTML = ('<p>Our hotel</p><img src="https://lake.example.com/pool.jpg" alt="The pool">'
              '<img src="https://tracker.evil.example/pixel.gif?who=me" alt="Spy &amp; pixel">'
              '<img src="https://cdn.assets.example/logo.png" alt="Logo">'
              '<img src="https://pending.example.com/x.png" alt="">'
              '<img src="http://lake.example.com/plain.jpg" alt="plain">'
              '<img src="https://lake.example.com:8443/port.jpg" alt="port">')


def arrange(tenant, admin=None):
    """The bilingual preview plus an HTML block of images; a verified and a pending host; another
    tenant's verified host."""
    made = bilingual_preview(tenant)
    services.content_block_create(principal=made.admin, version_id=made.version.pk, surface="home", kind="rich_text",
                                  meta={"kind": "rich_text"}, body={"en": {"format": "html", "value": BLOCK_HTML}})
    services.host_add(principal=Principal.operator("t", tenant_id=tenant.id), host="lake.example.com")
    services.host_add(principal=admin or made.admin, host="pending.example.com")  # not proven: not an image host
    other = TenantFactory()
    services.host_add(principal=Principal.operator("t", tenant_id=other.id), host="other-tenant.example.com")
    return made


@pytest.fixture
def world(tenant_factory, settings):
    settings.PREVIEW_IMAGE_ASSET_HOSTS = ["cdn.assets.example"]
    tenant = tenant_factory()
    return tenant, arrange(tenant)


def image_sources(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]*)"', page)


def assert_only_own_images(response):
    page = response.content.decode()
    assert response.status_code == 200
    assert image_sources(page) == ["https://lake.example.com/pool.jpg", "https://cdn.assets.example/logo.png"]
    assert "tracker.evil.example" not in image_sources(page).__str__()
    assert 'role="img" aria-label="Image not loaded: tracker.evil.example is not one of this site&#x27;s hosts. ' \
           'Spy &amp; pixel"' in page
    assert page.count('class="sample-image-blocked"') == 4  # tracker, pending host, plain http, other port
    csp = response["Content-Security-Policy"]
    img_src = next(part.strip() for part in csp.split(";") if part.strip().startswith("img-src"))
    assert img_src == "img-src data: https://cdn.assets.example https://lake.example.com"
    assert "https:" not in img_src.replace("https://", "") and "default-src 'none'" in csp


def test_public_preview_page__images_only_from_verified_and_asset_hosts__others_placeholders(client, world):
    _, made = world
    assert_only_own_images(client.get(f"/preview/{made.secret}/"))


def test_admin_preview_frame__same_rule(client, settings):
    settings.PREVIEW_IMAGE_ASSET_HOSTS = ["cdn.assets.example"]
    staff = make_staff("Lake Hotels")
    made = arrange(staff.tenant, staff.principals["admin"])
    sign_in(client, staff, "viewer")
    response = client.get(f"/admin/themeconfig/themeversion/{made.version.pk}/preview-site/")
    assert_only_own_images(response)
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_gate_images__everything_but_images_byte_for_byte():
    html = ('<p title="a&gt;b">x &amp; y &#169;</p><br><img src="https://bad.example/a.png" alt="a">'
            '<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>')
    gated = gate_images(html, {"good.example"})
    assert gated.replace(re.search(r'<span class="sample-image-blocked".*?</span>', gated).group(0), "") == \
        html.replace('<img src="https://bad.example/a.png" alt="a">', "")
    assert gate_images("<p>no images</p>", set()) == "<p>no images</p>"


def test_preview_image_hosts_function__live_link_only__its_tenants_verified_hosts__guc_put_back(
        world, django_db_setup):
    from publishing.services.preview_tokens import hash_token, preview_token_revoke
    from tests.integration.test_preview_public import role_connect

    tenant, made = world
    with role_connect("theme_config_preview_reader", django_db_setup) as conn:
        conn.execute("SELECT set_config('app.tenant_id', 'tnt_caller', true)")
        hosts = conn.execute("SELECT theme_config.preview_image_hosts(%s)", [hash_token(made.secret)]).fetchall()
        assert hosts == [("lake.example.com",)]  # not the pending one, not the other tenant's
        assert conn.execute("SELECT current_setting('app.tenant_id', true), "
                            "current_setting('theme_config.preview_token_hash', true)").fetchone() == ("tnt_caller", "")
        for dead in ("0" * 64, "not-a-hash", None):
            assert conn.execute("SELECT theme_config.preview_image_hosts(%s)", [dead]).fetchall() == []
        conn.rollback()
    preview_token_revoke(principal=made.admin, token_id=made.token.pk)
    with role_connect("theme_config_preview_reader", django_db_setup) as conn:
        assert conn.execute("SELECT theme_config.preview_image_hosts(%s)", [hash_token(made.secret)]).fetchall() == []
    for role in ("theme_config_app", "theme_config_ro", "theme_config_service"):
        with role_connect(role, django_db_setup) as conn, pytest.raises(Exception, match="permission denied"):
            conn.execute("SELECT theme_config.preview_image_hosts(%s)", [hash_token(made.secret)])
