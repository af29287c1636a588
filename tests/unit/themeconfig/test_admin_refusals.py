"""One helper answers a use case's refusal on every admin page (`refusal_shown`): a message on the
page (or the page's own `show`), the 403 page for a permission refusal, the 404 page when asked."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from themeconfig.admin.base import found_or_404, refusal_shown
from themeconfig.errors import ThemeErrorCode
from themeconfig.platform.errors import CoreErrorCode, DomainError, FieldError


def admin_request():
    request = RequestFactory().post("/admin/themeconfig/theme/thm_x/change/")
    request._messages = CookieStorage(request)
    return request


def shown(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def conflict() -> DomainError:
    return DomainError(ThemeErrorCode.VERSION_CONFLICT, "Someone saved first.", http_status=412,
                       errors=[FieldError("/name", "stale", "Changed meanwhile.")])


def test_refusal_shown__a_refusal__error_message_on_the_page_and_caught():
    request = admin_request()
    with refusal_shown(request) as refusal:
        raise conflict()
    assert refusal and refusal.error.code == ThemeErrorCode.VERSION_CONFLICT
    assert shown(request) == [("error", "Someone saved first. name: Changed meanwhile.")]


def test_refusal_shown__no_refusal__nothing_caught_nothing_shown():
    request = admin_request()
    with refusal_shown(request) as refusal:
        pass
    assert not refusal and refusal.error is None and shown(request) == []


def test_refusal_shown__own_show__called_instead_of_the_message():
    request, seen = admin_request(), []
    with refusal_shown(request, seen.append) as refusal:
        raise conflict()
    assert seen == [refusal.error] and shown(request) == []


@pytest.mark.parametrize("show", [None, list().append])
def test_refusal_shown__permission_refused__the_403_page_and_no_message(show):
    request = admin_request()
    with pytest.raises(PermissionDenied), refusal_shown(request, show):
        raise DomainError(CoreErrorCode.PERMISSION_DENIED, "Editors may not publish.", http_status=403)
    assert shown(request) == []


def test_refusal_shown__not_found__a_message_unless_the_page_asks_for_404():
    request = admin_request()
    gone = DomainError(CoreErrorCode.NOT_FOUND, "No such publication.", http_status=404)
    with refusal_shown(request) as refusal:
        raise gone
    assert refusal and shown(request) == [("error", "No such publication.")]
    with pytest.raises(Http404), refusal_shown(admin_request(), not_found_page=True):
        raise gone


def test_refusal_shown__anything_else__not_swallowed():
    with pytest.raises(LookupError), refusal_shown(admin_request()):
        raise LookupError("not a refusal")


def test_found_or_404__a_lookup_refused__404_page():
    def missing():
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such job.", http_status=404)

    with pytest.raises(Http404):
        found_or_404(missing)
    assert found_or_404(lambda: "job") == "job"
