"""API key secrets and permissions documents."""
import pytest

from themeconfig.platform.api_key_secrets import generate_secret, hash_secret, hint, parse_secret
from themeconfig.platform.ids import new_id
from themeconfig.platform.permissions import Permission, permissions_document_errors, scoped_permissions


def test_secret__round_trip__tenant_in_clear_hash_stable():
    tenant_id = new_id("tnt")
    secret = generate_secret(tenant_id)
    parsed = parse_secret(secret)
    assert parsed.tenant_id == tenant_id and parsed.hash == hash_secret(secret) and len(parsed.hash) == 64
    assert hint(secret) in secret and tenant_id not in hint(secret)
    assert generate_secret(tenant_id) != secret


@pytest.mark.parametrize("bad", ["", "tck", "tck.tnt_x.y", "abc.tnt_01M84PX9M9SYNQ39P6SWS9." + "a" * 43,
                                 "tck.tnt_01M84PX9M9SYNQ39P6SWS9.short"])
def test_parse_secret__malformed__none(bad):
    assert parse_secret(bad) is None


def test_permissions_errors__each_problem_with_its_path():
    assert permissions_document_errors({"scopes": ["themes:read"]}) == []
    assert [p[:2] for p in permissions_document_errors({"scopes": ["themes:read", "root"], "x": 1})] == [
        ("/x", "unknown_key"), ("/scopes/1", "unknown_scope")]
    assert permissions_document_errors([])[0][:2] == ("", "invalid_type")
    assert permissions_document_errors({"scopes": "themes:read"})[0][:2] == ("/scopes", "invalid_type")


def test_scoped_permissions__document_narrows_never_widens_the_role():
    assert scoped_permissions("viewer", None) == {Permission.TENANT_READ, Permission.THEMES_READ}
    assert scoped_permissions("viewer", frozenset({"themes:write", "themes:read"})) == {Permission.THEMES_READ}
    assert Permission.AI_REVIEW not in scoped_permissions("api", None)
    assert scoped_permissions("owner", frozenset()) == frozenset()
