"""Error codes of the core domain (tenancy, members, API keys, brand kits); never renamed or reused.

Platform codes (validation, auth, tenant context) are in themeconfig.platform.errors, with the one
constraint → error registry; the core tables' rules are registered below.
"""
from enum import StrEnum

from themeconfig.platform.errors import (
    ConstraintRule,
    CoreErrorCode,
    already_exists,
    invalid,
    register_constraints,
    taken,
)


class TenancyErrorCode(StrEnum):
    PROPERTY_NAME_TAKEN = "MELMASTOON.TENANT.PROPERTY_NAME_TAKEN"
    ROLE_ESCALATION = "MELMASTOON.MEMBERS.ROLE_ESCALATION"
    OWNER_REQUIRED = "MELMASTOON.MEMBERS.OWNER_REQUIRED"
    LAST_OWNER = "MELMASTOON.MEMBERS.LAST_OWNER"
    ALREADY_MEMBER = "MELMASTOON.MEMBERS.ALREADY_MEMBER"
    INVITATION_INVALID = "MELMASTOON.MEMBERS.INVITATION_INVALID"
    INVITATION_EMAIL_MISMATCH = "MELMASTOON.MEMBERS.INVITATION_EMAIL_MISMATCH"
    API_KEY_NAME_TAKEN = "MELMASTOON.API_KEY.NAME_TAKEN"
    BRAND_KIT_DEFAULT_TAKEN = "MELMASTOON.BRAND_KIT.DEFAULT_TAKEN"
    HOST_ALREADY_VERIFIED = "MELMASTOON.HOST.ALREADY_VERIFIED"


class ThemeErrorCode(StrEnum):
    THEME_SLOT_TAKEN = "MELMASTOON.THEME.SLOT_TAKEN"
    VERSION_CONFLICT = "MELMASTOON.THEME.VERSION_CONFLICT"
    PRECONDITION_REQUIRED = "MELMASTOON.THEME.PRECONDITION_REQUIRED"
    THEME_ARCHIVED = "MELMASTOON.THEME.ARCHIVED"
    INVALID_STATUS_TRANSITION = "MELMASTOON.THEME.INVALID_STATUS_TRANSITION"
    VERSION_IMMUTABLE = "MELMASTOON.THEME.VERSION_IMMUTABLE"
    NOT_PREVIEW_READY = "MELMASTOON.THEME.NOT_PREVIEW_READY"
    REORDER_MISMATCH = "MELMASTOON.CONTENT.REORDER_MISMATCH"
    CONTENT_ORDINAL_TAKEN = "MELMASTOON.CONTENT.ORDINAL_TAKEN"
    CHILD_EXISTS = "MELMASTOON.THEME.CHILD_EXISTS"
    PRESET_KEY_TAKEN = "MELMASTOON.LAYOUT.PRESET_KEY_TAKEN"
    LOCALE_PACKS_PRESENT = "MELMASTOON.THEME.LOCALE_PACKS_PRESENT"
    THEME_SUSPENDED = "MELMASTOON.THEME.SUSPENDED"


class RoutingFlagErrorCode(StrEnum):
    FLAG_TAKEN = "MELMASTOON.ROUTING_FLAG.TAKEN"
    REASON_REQUIRED = "MELMASTOON.ROUTING_FLAG.REASON_REQUIRED"


_LOCALE = "Use a BCP 47 tag such as en or fa-IR."
_NAME = "The name must have 1 to 200 characters."
_AUDIT_ROW_BUG = ConstraintRule(CoreErrorCode.INTERNAL, 500, "", "The audit row for this change could not be written.")

# Every CHECK, unique constraint and unique index of the core tables, by name (see
# themeconfig.platform.errors.register_constraints). The use cases validate first; these rules
# turn what only the database can decide (races on unique slots) or a missed check into a clear
# problem instead of a 500.
CONSTRAINTS = {
    # tenant_service.tenants
    "tenants_pkey": already_exists(),
    "tenants_id_check": invalid("/id", "Not a tenant id."),
    "tenants_slug_check": invalid("/slug", "Use 1-63 lower-case letters, digits and inner hyphens."),
    "tenants_slug_uq": taken(CoreErrorCode.TENANT_SLUG_TAKEN, "/slug", "A tenant with this slug already exists."),
    "tenants_name_check": invalid("/name", _NAME),
    "tenants_plan_check": invalid("/plan", "Plan must be one of free, starter, pro, enterprise."),
    "tenants_settings_check": invalid("/settings", "Settings must be a JSON object."),
    # tenant_service.properties
    "properties_pkey": already_exists(),
    "properties_id_check": invalid("/id", "Not a property id."),
    "properties_name_check": invalid("/name", _NAME),
    "properties_tenant_name_uq": taken(
        TenancyErrorCode.PROPERTY_NAME_TAKEN, "/name", "The tenant already has a property of this name."
    ),
    "properties_tenant_id_id_uq": already_exists(),
    # tenant_service.tenant_hosts
    "tenant_hosts_pkey": taken(CoreErrorCode.HOST_TAKEN, "/host", "This host is already served by a tenant."),
    "tenant_hosts_host_check": invalid("/host", "Not a valid host name."),
    "tenant_hosts_verified_only": invalid("/verification_status", "A served host is a verified one."),
    "tenant_hosts_verification_method_check": invalid("/verification_method", "Either dns or operator."),
    # tenant_service.tenant_host_claims (pending claims: any number of tenants per name)
    "tenant_host_claims_pkey": already_exists(),
    "tenant_host_claims_host_check": invalid("/host", "Not a valid host name."),
    "tenant_host_claims_verification_token_hash_check": invalid("/verification", "Not a challenge hash."),
    "tenant_host_claims_verification_attempts_check": invalid("/verification_attempts", "Not a count."),
    # theme_config.memberships
    "memberships_pkey": already_exists(),
    "memberships_id_check": invalid("/id", "Not a membership id."),
    "memberships_role_check": invalid("/role", "Role must be one of owner, admin, member, viewer, api."),
    "memberships_tenant_user_uq": taken(
        TenancyErrorCode.ALREADY_MEMBER, "/email", "This user is already a member of this tenant."
    ),
    # theme_config.invitations
    "invitations_pkey": already_exists(),
    "operator_audit_pkey": already_exists(),
    "invitations_id_check": invalid("/id", "Not an invitation id."),
    "invitations_role_check": invalid("/role", "Role must be one of owner, admin, member, viewer."),
    "invitations_token_hash_check": invalid("/token", "Not a token hash."),
    "invitations_expiry_chk": invalid("/expires_at", "The expiry must be after the creation."),
    "invitations_token_hash_uq": already_exists("/token"),
    "invitations_email_hash_chk": invalid("/email", "Not an e-mail address hash."),
    "invitations_open_email_hash_uq": taken(
        TenancyErrorCode.ALREADY_MEMBER, "/email", "This address already has an open invitation."
    ),
    # theme_config.api_clients
    "api_clients_pkey": already_exists(),
    "api_clients_id_check": invalid("/id", "Not an API key id."),
    "api_clients_name_check": invalid("/name", _NAME),
    "api_clients_role_check": invalid("/role", "Role must be one of owner, admin, member, viewer, api."),
    "api_clients_secret_hash_check": invalid("/secret", "Not a secret hash."),
    "api_clients_permissions_check": invalid("/permissions", "Permissions must be a JSON object."),
    "api_clients_secret_hash_uq": already_exists("/secret"),
    "api_clients_tenant_name_uq": taken(
        TenancyErrorCode.API_KEY_NAME_TAKEN, "/name", "A live API key has this name; rotate it or pick another."
    ),
    # theme_config.brand_kits
    "brand_kits_pkey": already_exists(),
    "brand_kits_id_check": invalid("/id", "Not a brand kit id."),
    "brand_kits_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "brand_kits_default_uq": taken(
        TenancyErrorCode.BRAND_KIT_DEFAULT_TAKEN, "/is_default",
        "Another brand kit became the default at the same time; reload and try again.",
    ),
    # theme_config.layout_presets (global registry, written by migrations)
    "layout_presets_pkey": already_exists(),
    "layout_presets_id_check": invalid("/id", "Not a layout preset id."),
    "layout_presets_surface_check": invalid("/surface", "Surface must be one of home, detail, search, custom."),
    "layout_presets_key_uq": taken(ThemeErrorCode.PRESET_KEY_TAKEN, "/key", "A preset with this key exists."),
    # theme_config.themes
    "themes_pkey": already_exists(),
    "themes_id_check": invalid("/id", "Not a theme id."),
    "themes_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "themes_property_id_check": invalid("/property_id", "Not a property id."),
    "themes_scope_check": invalid("/scope", "Scope must be tenant or property."),
    "themes_status_check": invalid("/status", "Status must be one of active, suspended, archived."),
    "themes_default_locale_check": invalid("/default_locale", _LOCALE),
    "themes_enabled_locales_check": invalid("/enabled_locales", "Enable at least one locale."),
    "themes_enabled_locales_not_empty_chk": invalid("/enabled_locales", "Enable at least one locale."),
    "themes_fallback_chain_check": invalid("/fallback_chain", "The fallback chain needs at least one locale."),
    "themes_fallback_chain_not_empty_chk": invalid("/fallback_chain", "The fallback chain needs at least one locale."),
    "themes_tenant_property_uq": taken(
        ThemeErrorCode.THEME_SLOT_TAKEN, "/property_id", "This tenant (or property) already has a live theme."
    ),
    # theme_config.theme_versions
    "theme_versions_pkey": already_exists(),
    "theme_versions_id_check": invalid("/id", "Not a theme version id."),
    "theme_versions_status_check": invalid("/status", "Status must be one of draft, preview_ready, published, archived."),
    "theme_versions_archived_reason_check": invalid(
        "/archived_reason", "An archived version needs a reason (superseded, rolled_back, manual_archive); others none."
    ),
    "theme_versions_published_consistency": invalid(
        "/status", "A published version needs its publication time, publisher, bundle URL and sha256."
    ),
    "theme_versions_tokens_shape_chk": invalid("/tokens", "Tokens need color, typography, spacing and radius."),
    "theme_versions_ordinal_uq": taken(
        ThemeErrorCode.VERSION_CONFLICT, "/ordinal", "Another version took this number at the same time; retry."
    ),
    # theme_config.content_blocks
    "content_blocks_pkey": already_exists(),
    "content_blocks_id_check": invalid("/id", "Not a content block id."),
    "content_blocks_surface_check": invalid("/surface", "Not a content surface."),
    "content_blocks_visibility_check": invalid("/visibility", "Visibility must be all, desktop_only or mobile_only."),
    "content_blocks_body_locales_chk": invalid("/body", "Every key of the body must be a locale."),
    "content_blocks_meta_kind_chk": invalid("/meta/kind", "meta.kind must equal the block's kind."),
    "content_blocks_ordinal_uq": taken(
        ThemeErrorCode.CONTENT_ORDINAL_TAKEN, "/ordinal", "Another block holds this position on this surface."
    ),
    # theme_config.navigation_configs, booking_flow_configs, email_themes, locale_packs
    "navigation_configs_pkey": already_exists(),
    "navigation_configs_id_check": invalid("/id", "Not a navigation id."),
    "navigation_configs_surface_check": invalid("/surface", "Surface must be header, footer or mobile_drawer."),
    "navigation_configs_uq": taken(ThemeErrorCode.CHILD_EXISTS, "/surface", "This version already has this navigation."),
    "booking_flow_configs_pkey": already_exists(),
    "booking_flow_configs_id_check": invalid("/id", "Not a booking flow id."),
    "booking_flow_configs_uq": taken(ThemeErrorCode.CHILD_EXISTS, "", "This version already has a booking flow."),
    "email_themes_pkey": already_exists(),
    "email_themes_id_check": invalid("/id", "Not an e-mail theme id."),
    "email_themes_uq": taken(ThemeErrorCode.CHILD_EXISTS, "", "This version already has an e-mail theme."),
    "locale_packs_pkey": already_exists(),
    "locale_packs_locale_check": invalid("/locale", _LOCALE),
    "locale_packs_uq": taken(ThemeErrorCode.CHILD_EXISTS, "/locale", "This version already has a pack for this locale."),
    # theme_config.audit_log: written by audit_record alone, from what the use case (not the caller)
    # says, after its own checks; a violation is our bug, never the caller's. Its partitions inherit
    # the CHECKs under these names.
    "audit_log_pkey": _AUDIT_ROW_BUG,
    "audit_log_tenant_id_check": _AUDIT_ROW_BUG,
    "audit_log_actor_check": _AUDIT_ROW_BUG,
    "audit_log_action_check": _AUDIT_ROW_BUG,
    "audit_log_entity_type_check": _AUDIT_ROW_BUG,
    "audit_log_entity_id_check": _AUDIT_ROW_BUG,
    "audit_log_old_values_check": _AUDIT_ROW_BUG,
    "audit_log_new_values_check": _AUDIT_ROW_BUG,
    "audit_log_request_id_check": _AUDIT_ROW_BUG,
}

CONSTRAINTS.update({
    "routing_flags_pkey": already_exists(),
    "routing_flags_id_check": invalid("/id", "Not a routing flag id."),
    "routing_flags_tenant_id_check": invalid("/tenant_id", "Not a tenant id."),
    "routing_flags_flag_key_check": invalid("/flag_key", "A key of lower-case letters, digits, '_', '.', '-' (1 to 64)."),
    "routing_flags_scope_type_check": invalid("/scope_type", "One of env, tenant, style, user."),
    "routing_flags_scope_id_check": invalid("/scope_id", "1 to 200 characters."),
    "routing_flags_route_mode_check": invalid("/route_mode", "A mode of lower-case letters, digits and '_' (1 to 32)."),
    "routing_flags_version_check": invalid("/version", "The version is a positive integer."),
    "routing_flags_scope_uq": taken(RoutingFlagErrorCode.FLAG_TAKEN, "/scope_id",
                                    "This flag is already set for this scope."),
    "routing_flag_audit_pkey": _AUDIT_ROW_BUG,
    "routing_flag_audit_id_check": _AUDIT_ROW_BUG,
    "routing_flag_audit_tenant_id_check": _AUDIT_ROW_BUG,
    "routing_flag_audit_routing_flag_id_check": _AUDIT_ROW_BUG,
    "routing_flag_audit_change_payload_check": invalid("/reason", "Say why, in 1 to 500 characters."),
})

register_constraints(CONSTRAINTS)
