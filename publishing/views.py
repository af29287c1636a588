"""Pages of publishing for people (not the API): the sample site a preview link shows."""
from __future__ import annotations

import json

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from publishing import preview
from publishing.sample_site import render_site
from themeconfig.platform.middleware import public_endpoint

PREVIEW_PAGE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    # Only the page's own inline styles; no scripts, no fetches anywhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; "
                               "base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "Referrer-Policy": "no-referrer",  # the secret is in the URL
}
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
    if bundle is None:
        response = HttpResponse(NOT_FOUND_PAGE, status=404, content_type="text/html; charset=utf-8")
    else:
        html = render_site(json.loads(bundle.json_bytes), bundle.css_bytes.decode("utf-8"),
                           locale=request.GET.get("locale"), base_url=request.path)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    for header, value in PREVIEW_PAGE_HEADERS.items():
        response[header] = value
    return response
