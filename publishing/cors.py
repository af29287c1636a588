"""CORS for the public front-end reads: resolve/ and the bundle files this app serves.

A guest site's front end runs on the tenant's own host and fetches these cross-origin. They are
public and credential-less (PublicEndpointMiddleware drops cookies and `Authorization` unread), so
any origin may read them: `Access-Control-Allow-Origin: *`, never `Allow-Credentials` (a browser
then sends no cookies and refuses a credentialed read), `ETag` exposed so the front end can
revalidate with `If-None-Match`, and a preflight (OPTIONS) answered without reaching the view. Only
the views wrapped here get these headers: the authenticated API and the admin keep the browser's
same-origin rule.
"""
from __future__ import annotations

from functools import wraps

from django.http import HttpResponse

ALLOWED_METHODS = "GET, HEAD"
# Request headers a front end may send beyond the CORS-safelisted ones: its own revalidation.
ALLOWED_HEADERS = "If-None-Match, If-Modified-Since, X-Request-ID"
# Response headers a front end may read beyond the safelisted ones (Cache-Control, Content-Type, …).
EXPOSED_HEADERS = "ETag, Retry-After, X-Request-ID"
PREFLIGHT_MAX_AGE = "86400"  # a day: the answer never changes
RESPONSE_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED_HEADERS}


def public_read_cors(view):
    """Wraps a public GET/HEAD view: every answer carries RESPONSE_HEADERS, and OPTIONS (a preflight,
    or a plain OPTIONS) is answered 204 here with the methods and headers allowed. The wrapper's
    `cross_origin_headers` are what PublicEndpointMiddleware adds to the 429 it answers before the view."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            del response["Content-Type"]  # no content
            response["Allow"] = f"{ALLOWED_METHODS}, OPTIONS"
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = view(request, *args, **kwargs)
        for header, value in RESPONSE_HEADERS.items():
            response[header] = value
        return response

    wrapped.cross_origin_headers = RESPONSE_HEADERS
    return wrapped
