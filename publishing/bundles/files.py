"""Published bundles served by the app itself when they live on its filesystem (the default storage).

With S3 or GCS a bundle's URL is the storage's (its bucket or CDN) and nothing here is routed. With
`FileSystemStorage` the URL `storage.url(key)` answers is a path of this app (`/media/bundles/…`
by default, `BUNDLE_BASE_URL`), so `bundle_routes()` mounts a route there, DEBUG or not, and a
front-end developer can follow resolve/'s `bundle_url`.

Keys are content-addressed (`bundles/{tenant_id}/{theme_id}/{sha256}.json` and `.css`, see
storage.py), so an object never changes: public, cacheable for a year, `immutable`. Only keys of
exactly that shape are read (anything else, traversal included, is the one 404), and bytes are
served only when they are the bundle the key names: the document must hash to its name, and the
stylesheet is served only beside an intact document (its own digest is recorded nowhere, so its
strong ETag is the sha256 of its bytes). Reads only: writing is storage.py's.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.files.storage import FileSystemStorage, Storage
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import URLPattern, re_path
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from publishing.bundles.storage import bundle_keys, bundle_storage
from publishing.cors import public_read_cors
from themeconfig.platform.endpoints import public_endpoint
from themeconfig.platform.ids import is_valid_id

IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"json": "application/json", "css": "text/css; charset=utf-8"}
_KEY_RE = re.compile(r"bundles/([a-z]{3}_[0-9A-Z]{22})/([a-z]{3}_[0-9A-Z]{22})/([0-9a-f]{64})\.(json|css)")


@dataclass(frozen=True)
class BundleFile:
    """One stored object of a bundle, checked: its bytes, content type and strong validator."""

    data: bytes
    content_type: str
    etag: str  # the quoted sha256 of `data`


def served_prefix(storage: Storage | None = None) -> str | None:
    """The URL path (no leading slash) under which this app serves the bundle storage's keys, or
    None when the storage is not the filesystem (its own URLs are followed)."""
    storage = storage if storage is not None else bundle_storage()
    if not isinstance(storage, FileSystemStorage):
        return None
    path = urlsplit(storage.base_url or "").path
    return path.lstrip("/") if path.endswith("/") else None


def bundle_routes() -> list[URLPattern]:
    """The route of `bundle_file_view` under the filesystem storage's base URL, if that is the storage."""
    prefix = served_prefix()
    if prefix is None:
        return []
    # [\s\S] rather than (?s): a key with a newline still reaches the view (one 404), and reverse()
    # cannot handle inline flags, which broke every reverse() of the site.
    return [re_path(rf"^{re.escape(prefix)}(?P<key>bundles/[\s\S]*)\Z", bundle_file_view, name="bundle-file")]


@public_endpoint("bundle")  # public: no tenant, no caller, no session or key; limited per address
@public_read_cors  # fetched by guest sites' front ends on their own hosts (cors.py)
@require_safe
def bundle_file_view(request, key):
    """GET/HEAD {BUNDLE_BASE_URL}bundles/{tenant_id}/{theme_id}/{sha256}.json|.css: the stored
    object, immutable, with its sha256 as strong ETag (304 on a matching If-None-Match); one 404
    for every key that is malformed, missing or not the bundle it names. Readable cross-origin
    (CORS for any origin, no credentials; OPTIONS answered)."""
    found = read_bundle_file(key)
    if found is None:
        response = HttpResponse(b"Not found\n", status=404, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"  # a bundle being published may appear any moment
    else:
        # If-None-Match compares weakly (RFC 9110 §13.1.2): a W/ tag matches too.
        tags = [tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))]
        if tags == ["*"] or found.etag in tags:
            response = HttpResponseNotModified()  # no Content-Type: a 304 carries no content
        else:
            body = b"" if request.method == "HEAD" else found.data
            response = HttpResponse(body, content_type=found.content_type)
            response["Content-Length"] = str(len(found.data))
        response["ETag"] = found.etag
        response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    return response


def read_bundle_file(key: str, storage: Storage | None = None) -> BundleFile | None:
    """The object stored under `key` if it is a well-formed bundle key and the bundle it names is
    intact; None for anything else (malformed, missing, or bytes that are not that bundle's)."""
    match = _KEY_RE.fullmatch(key)
    if match is None:
        return None
    tenant_id, theme_id, sha256, extension = match.groups()
    if not (is_valid_id(tenant_id, "tnt") and is_valid_id(theme_id, "thm")):
        return None
    storage = storage if storage is not None else bundle_storage()
    json_key, css_key = bundle_keys(tenant_id, theme_id, sha256)
    document = _read(storage, json_key)
    if document is None or hashlib.sha256(document).hexdigest() != sha256:
        return None
    data = document if extension == "json" else _read(storage, css_key)
    if data is None:
        return None
    return BundleFile(data=data, content_type=CONTENT_TYPES[extension],
                      etag=f'"{hashlib.sha256(data).hexdigest()}"')


def _read(storage: Storage, key: str) -> bytes | None:
    try:
        with storage.open(key, "rb") as stored:
            return stored.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
