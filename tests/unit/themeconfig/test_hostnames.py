"""One host-name normaliser for what tenants add, what DNS is asked about and what resolve looks up."""
from __future__ import annotations

import pytest

from themeconfig.platform.errors import DomainError
from themeconfig.platform.hostnames import host_normalize
from themeconfig.services.tenancy import normalize_host

# (typed, stored form or None, stored form of a Host header value i.e. with port=True, or None)
FORMS = [
    ("Www.Example.COM", "www.example.com", "www.example.com"),
    ("  h.example  ", "h.example", "h.example"),
    ("h.example.", "h.example", "h.example"),
    ("h.example:443", None, "h.example"),
    ("h.example.:443", None, "h.example"),  # the port goes first, then the trailing dot
    ("straße.de", "xn--strae-oqa.de", "xn--strae-oqa.de"),  # IDNA 2008 keeps ß (IDNA 2003: strasse.de)
    ("xn--strae-oqa.de", "xn--strae-oqa.de", "xn--strae-oqa.de"),
    ("MÜNCHEN.de", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),  # UTS 46 maps case before encoding
    ("münchen.de:8080", None, "xn--mnchen-3ya.de"),
    ("xn--zz.de", None, None),  # punycode that decodes to no valid label
    ("bad_host.example", None, None),
    ("-lead.example", None, None),
    ("a..b", None, None),
    ("h.example..", None, None),
    ("", None, None),
    (".", None, None),
    ("[::1]:80", None, None),
    ("h.example:", None, None),
    ("a" * 64 + ".example", None, None),
    (".".join(["a" * 63] * 4), None, None),  # 255 characters
    (None, None, None),
    (42, None, None),
]


@pytest.mark.parametrize("typed,stored,header", FORMS)
def test_host_normalize__form__stored_form_or_none(typed, stored, header):
    assert host_normalize(typed) == stored
    assert host_normalize(typed, port=True) == header


@pytest.mark.parametrize("typed,stored", [(t, s) for t, s, _ in FORMS])
def test_normalize_host__the_services_door__same_form_or_invalid_host(typed, stored):
    if stored is None:
        with pytest.raises(DomainError) as refused:
            normalize_host(typed, path="/host")
        assert [e.code for e in refused.value.errors] == ["invalid_host"]
    else:
        assert normalize_host(typed) == stored
