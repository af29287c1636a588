"""Representations of themes, versions and what a version holds, and the shapes of their inputs.

Input serializers check JSON types only (an array where an object belongs is a 422 with its
path); every product rule is the use case's.
"""
from __future__ import annotations

from rest_framework import serializers

from themeconfig.models import (
    BookingFlowConfig,
    ContentBlock,
    ContentSurface,
    EmailTheme,
    LocalePack,
    NavigationConfig,
    Theme,
    ThemeScope,
    ThemeStatus,
    ThemeVersion,
    Visibility,
)


class ThemeVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ThemeVersion
        fields = ["id", "ordinal", "status", "release_notes", "published_at", "created_at", "created_by",
                  "updated_at", "updated_by", "version"]
        read_only_fields = fields


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "tenant_id", "property_id", "name", "scope", "default_locale", "enabled_locales",
                  "fallback_chain", "status", "active_publication_id", "version", "created_at", "created_by",
                  "updated_at", "updated_by", "deleted_at"]
        read_only_fields = fields


class ThemeDetailSerializer(ThemeSerializer):
    latest_versions = serializers.SerializerMethodField()
    active_publication = serializers.SerializerMethodField()

    class Meta(ThemeSerializer.Meta):
        fields = [*ThemeSerializer.Meta.fields, "latest_versions", "active_publication"]
        read_only_fields = fields

    def get_latest_versions(self, theme) -> list[dict]:
        return ThemeVersionSummarySerializer(self.context.get("latest_versions", []), many=True).data

    def get_active_publication(self, theme) -> dict | None:
        return self.context.get("active_publication")


class ThemeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    scope = serializers.ChoiceField(choices=ThemeScope.choices, default=ThemeScope.TENANT)
    property_id = serializers.CharField(required=False, allow_null=True, max_length=26)
    default_locale = serializers.CharField(default="en", max_length=20)
    enabled_locales = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=100)
    fallback_chain = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=100)


class ThemeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, trim_whitespace=False)
    default_locale = serializers.CharField(max_length=20, required=False)
    enabled_locales = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=100)
    fallback_chain = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=100)
    status = serializers.ChoiceField(choices=ThemeStatus.choices, required=False)
    drop_locale_packs = serializers.BooleanField(
        required=False, default=False,
        help_text="When `enabled_locales` removes a locale that draft or preview-ready versions still have "
                  "locale packs for, delete those packs with the change (each deletion is audited and the "
                  "version goes back to draft). Without it the change is refused with 409 "
                  "MELMASTOON.THEME.LOCALE_PACKS_PRESENT naming each pack. Published and archived versions "
                  "are immutable and keep theirs.")
    version = serializers.IntegerField(required=False, help_text="The version you edited (or send If-Match).")


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The version you acted on (or send If-Match).")


class ContentBlockSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContentBlock
        fields = ["id", "theme_version_id", "surface", "kind", "ordinal", "visibility", "body", "meta",
                  "ai_provenance", "version", "created_at", "created_by", "updated_at", "updated_by"]
        read_only_fields = fields


class NavigationSerializer(serializers.ModelSerializer):
    class Meta:
        model = NavigationConfig
        fields = ["id", "theme_version_id", "surface", "items", "version", "created_at", "updated_at", "updated_by"]
        read_only_fields = fields


class BookingFlowSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookingFlowConfig
        fields = ["id", "theme_version_id", "steps", "toggles", "consent", "version", "created_at", "updated_at",
                  "updated_by"]
        read_only_fields = fields


class EmailThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailTheme
        fields = ["id", "theme_version_id", "tokens", "logo_ref", "footer", "version", "created_at", "updated_at",
                  "updated_by"]
        read_only_fields = fields


class LocalePackSerializer(serializers.ModelSerializer):
    completeness_pct = serializers.FloatField(read_only=True)

    class Meta:
        model = LocalePack
        fields = ["theme_version_id", "locale", "entries", "completeness_pct", "ai_provenance", "version",
                  "updated_at", "updated_by"]
        read_only_fields = fields


class ThemeVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThemeVersion
        fields = ["id", "tenant_id", "theme_id", "ordinal", "status", "tokens", "layout_selections",
                  "ai_provenance", "release_notes", "published_bundle_url", "published_bundle_sha256",
                  "published_bundle_size", "published_at", "published_by", "archived_at", "archived_reason",
                  "version", "created_at", "created_by", "updated_at", "updated_by"]
        read_only_fields = fields


class ReadinessFindingSerializer(serializers.Serializer):
    """One preview-ready finding: the JSON path it is about, a stable code, a message."""

    path = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


class PreviewReadyVersionSerializer(ThemeVersionSerializer):
    """The version just marked preview-ready, with the warnings its checks let through (never blocking)."""

    warnings = ReadinessFindingSerializer(source="preview_warnings", many=True, read_only=True)

    class Meta(ThemeVersionSerializer.Meta):
        fields = [*ThemeVersionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class ThemeVersionDetailSerializer(ThemeVersionSerializer):
    content_blocks = ContentBlockSerializer(many=True, read_only=True)
    navigation = NavigationSerializer(source="navigation_configs", many=True, read_only=True)
    booking_flow = serializers.SerializerMethodField()
    email_theme = serializers.SerializerMethodField()
    locale_packs = LocalePackSerializer(many=True, read_only=True)

    class Meta(ThemeVersionSerializer.Meta):
        fields = [*ThemeVersionSerializer.Meta.fields, "content_blocks", "navigation", "booking_flow",
                  "email_theme", "locale_packs"]
        read_only_fields = fields

    def get_booking_flow(self, version) -> dict | None:
        flow = BookingFlowConfig.objects.filter(theme_version_id=version.pk).first()
        return BookingFlowSerializer(flow).data if flow else None

    def get_email_theme(self, version) -> dict | None:
        email = EmailTheme.objects.filter(theme_version_id=version.pk).first()
        return EmailThemeSerializer(email).data if email else None


class VersionCreateSerializer(serializers.Serializer):
    from_version_id = serializers.CharField(required=False, allow_null=True, max_length=26)
    release_notes = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10_000)


class VersionUpdateSerializer(VersionedSerializer):
    tokens = serializers.JSONField(required=False)
    layout_selections = serializers.JSONField(required=False)
    release_notes = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=10_000)


class ContentBlockCreateSerializer(serializers.Serializer):
    surface = serializers.ChoiceField(choices=ContentSurface.choices)
    kind = serializers.CharField(max_length=40)
    body = serializers.JSONField()
    meta = serializers.JSONField()
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.ALL)
    ordinal = serializers.IntegerField(required=False, min_value=0, allow_null=True)


class ContentBlockUpdateSerializer(VersionedSerializer):
    body = serializers.JSONField(required=False)
    meta = serializers.JSONField(required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)


class ContentBlockMoveSerializer(VersionedSerializer):
    ordinal = serializers.IntegerField(min_value=0)


class ContentBlocksReorderSerializer(VersionedSerializer):
    surface = serializers.ChoiceField(choices=ContentSurface.choices)
    block_ids = serializers.ListField(child=serializers.CharField(max_length=26), max_length=200)


class NavigationPutSerializer(VersionedSerializer):
    items = serializers.JSONField()


class BookingFlowPutSerializer(VersionedSerializer):
    steps = serializers.JSONField()
    toggles = serializers.JSONField()
    consent = serializers.JSONField()


class EmailThemePutSerializer(VersionedSerializer):
    tokens = serializers.JSONField()
    logo_ref = serializers.JSONField()
    footer = serializers.JSONField()


class LocalePackPutSerializer(VersionedSerializer):
    entries = serializers.JSONField()
