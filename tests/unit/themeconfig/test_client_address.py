"""The client address rate limits, sign-in lockouts and the audit log see (platform/client_address.py)."""
from __future__ import annotations

import pytest
from django.test import RequestFactory

from themeconfig.platform.client_address import address_bucket, client_address


def request(remote: str = "10.0.0.1", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("hops, remote, forwarded, expected", [
    (0, "10.0.0.1", "198.51.100.1", "10.0.0.1"),  # no proxy: the header is the client's own words
    (0, "2001:DB8:0::1", None, "2001:db8::1"),  # canonical form, so one address is one caller
    (0, "/run/gunicorn.sock", None, ""),  # not an address at all
    (0, "::ffff:198.51.100.7", None, "198.51.100.7"),  # a dual-stack listener's IPv4 client
    (0, "::FFFF:C633:6407", None, "198.51.100.7"),
    (1, "10.0.0.1", "::ffff:203.0.113.5", "203.0.113.5"),  # a dual-stack proxy's entry
    (1, "10.0.0.1", "192.0.2.9, 198.51.100.1", "198.51.100.1"),  # the proxy's entry; the forged one ignored
    (1, "10.0.0.1", " 198.51.100.1 ", "198.51.100.1"),
    (2, "10.0.0.1", "203.0.113.5, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
    (2, "10.0.0.1", "198.51.100.1", "198.51.100.1"),  # skipped the outer proxy: what the inner one saw
    (1, "10.0.0.1", None, "10.0.0.1"),
    (1, "10.0.0.1", "unknown", "10.0.0.1"),  # not an address: the peer
])
def test_client_address__trusted_proxy_hops__the_address_the_outermost_trusted_proxy_saw(
        settings, hops, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    assert client_address(request(remote, forwarded)) == expected


@pytest.mark.parametrize("address, bucket", [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    # IPv4-mapped: each IPv4 client its own bucket, not all of them one `::/64`.
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("::ffff:198.51.100.8", "198.51.100.8"),
    # No address, or not one: one shared "unknown" bucket (limited), never none at all.
    ("", "unknown"),
    ("/run/gunicorn.sock", "unknown"),
    ("not:an:address", "unknown"),
])
def test_address_bucket__any_address__one_bucket_per_client(address, bucket):
    assert address_bucket(address) == bucket
