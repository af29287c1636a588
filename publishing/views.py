"""Pages of publishing for people (not the API): the sample site a preview link shows."""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from publishing import preview
from publishing.sample_site.render import image_src_directive, render_site
from themeconfig.platform.endpoints import public_endpoint

PREVIEW_PAGE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    # Only the page's own inline styles; no scripts, no fetches anywhere; images from nowhere but
    # data: until preview_page_headers() lists the hosts this page may load them from.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "Referrer-Policy": "no-referrer",  # the secret is in the URL
}


def preview_image_hosts(tenant_hosts: list[str]) -> list[str]:
    """Where a preview page may load images from: the tenant's verified hosts and the configured asset
    hosts (PREVIEW_IMAGE_ASSET_HOSTS). Nothing else: an image elsewhere would tell a third party
    the viewer's address, so the page draws it as a labelled placeholder instead."""
    return sorted({*tenant_hosts, *(host.lower() for host in settings.PREVIEW_IMAGE_ASSET_HOSTS)})


def preview_page_headers(image_hosts: list[str]) -> dict[str, str]:
    """PREVIEW_PAGE_HEADERS with the page's own image hosts in its CSP."""
    csp = PREVIEW_PAGE_HEADERS["Content-Security-Policy"].replace("img-src data:", image_src_directive(image_hosts))
    return {**PREVIEW_PAGE_HEADERS, "Content-Security-Policy": csp}
NOT_FOUND_PAGE = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview not found</title>"
                  b"</head><body><h1>Preview not found</h1><p>No such preview link, or it has expired or been revoked."
                  b"</p></body></html>")


@public_endpoint("preview")
@require_safe
def preview_site_view(request, token):
    """GET /preview/{token}/?locale=xx: the sample booking site of the version a preview link shows,
    read as the public preview API reads it (the preview reader role; each view counts an access).
    Unknown, expired, revoked and malformed tokens all get the same 404 page."""
    bundle = preview.preview_bundle(token)
    headers = PREVIEW_PAGE_HEADERS
    if bundle is None:
        response = HttpResponse(NOT_FOUND_PAGE, status=404, content_type="text/html; charset=utf-8")
    else:
        image_hosts = preview_image_hosts(preview.preview_image_hosts(token))
        html = render_site(json.loads(bundle.json_bytes), bundle.css_bytes.decode("utf-8"),
                           locale=request.GET.get("locale"), base_url=request.path, image_hosts=image_hosts)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        headers = preview_page_headers(image_hosts)
    for header, value in headers.items():
        response[header] = value
    return response
