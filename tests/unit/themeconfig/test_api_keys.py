"""API key secrets and permissions documents."""
import pytest

from themeconfig.platform.api_key_secrets import (
    effective_scopes,
    generate_secret,
    hash_secret,
    hint,
    parse_secret,
    permissions_errors,
)
from themeconfig.platform.ids import new_id


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
    assert permissions_errors({"scopes": ["themes:read"]}) == []
    assert [p[:2] for p in permissions_errors({"scopes": ["themes:read", "root"], "x": 1})] == [
        ("/x", "unknown_key"), ("/scopes/1", "unknown_scope")]
    assert permissions_errors([])[0][:2] == ("", "invalid_type")
    assert permissions_errors({"scopes": "themes:read"})[0][:2] == ("/scopes", "invalid_type")


def test_effective_scopes__document_narrows_never_widens_the_role():
    assert effective_scopes(role="viewer", permissions={}) == {"tenant:read", "themes:read"}
    assert effective_scopes(role="viewer", permissions={"scopes": ["themes:write", "themes:read"]}) == {"themes:read"}
    assert "ai:review" not in effective_scopes(role="api", permissions={})
