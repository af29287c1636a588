"""The preview link as a page for people, GET /preview/{token}/: the sample booking site drawn from
the version's bundle in each enabled locale and direction, escaped, under the preview reader role."""
from __future__ import annotations

import pytest

from publishing.services.preview_tokens import preview_token_revoke
from publishing.views import NOT_FOUND_PAGE
from tests.factories.preview import bilingual_preview

pytestmark = pytest.mark.usefixtures("committed_db")


@pytest.fixture
def world(tenant_factory):
    made = bilingual_preview(
        tenant_factory(), welcome_en="## Welcome **home**\n\n<script>alert(1)</script> by the lake",
        welcome_ar="## أهلاً بكم")
    return made.admin, made.token, made.secret


def test_preview_site__default_locale__the_versions_texts_and_blocks__escaped(client, world):
    _, _, secret = world
    response = client.get(f"/preview/{secret}/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert '<html lang="en" dir="ltr">' in page
    assert "<h2>Welcome <strong>home</strong></h2>" in page and "Reserve" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; by the lake" in page
    assert ":root{--color-" in page  # the bundle's own stylesheet
    assert response["Cache-Control"] == "private, no-store" and "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Robots-Tag"] == "noindex" and response["Referrer-Policy"] == "no-referrer"


def test_preview_site__arabic__rtl_and_its_own_texts(client, world):
    _, _, secret = world
    page = client.get(f"/preview/{secret}/?locale=ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "احجز" in page and "أهلاً بكم" in page
    assert 'href="/preview/' in page and "?locale=en" in page  # the language switch


def test_preview_site__unknown_locale__the_default(client, world):
    _, _, secret = world
    assert '<html lang="en" dir="ltr">' in client.get(f"/preview/{secret}/?locale=zz").content.decode()


def test_preview_site__unknown_malformed_revoked__one_404_page(client, world):
    admin, token, secret = world
    answers = [client.get(f"/preview/{s}/") for s in ("pvw_" + "x" * 43, "nope", secret[:-1] + ("A" if secret[-1] != "A" else "B"))]
    preview_token_revoke(principal=admin, token_id=token.pk)
    answers.append(client.get(f"/preview/{secret}/"))
    assert {r.status_code for r in answers} == {404}
    assert {r.content for r in answers} == {NOT_FOUND_PAGE}


def test_preview_site__post__405(client, world):
    _, _, secret = world
    assert client.post(f"/preview/{secret}/").status_code == 405
