"""Themes, their numbered versions and each version's children (seed 000 §3.1, §3.2, §3.4–§3.8).

The DDL is ../sql/0002_themes.sql; these models mirror it column for column, the columns every tenant
aggregate shares coming from base.TenantModel. Indexes, CHECKs and policies are the SQL's business, so
none is declared here (the seed's names are longer than Django's index-name limit anyway).
`created_by`/`updated_by`/`published_by` are actor strings.
"""
from django.contrib.postgres.fields import ArrayField
from django.db import models

from themeconfig.platform.ids import PrefixedIdField
from themeconfig.validators.content import content_kind_label
from themeconfig.validators.locales import locale_label

from .base import TenantModel


class ThemeScope(models.TextChoices):
    TENANT = "tenant"
    PROPERTY = "property"


class ThemeStatus(models.TextChoices):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"


class ThemeVersionStatus(models.TextChoices):
    DRAFT = "draft"
    PREVIEW_READY = "preview_ready"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ArchivedReason(models.TextChoices):
    SUPERSEDED = "superseded"
    ROLLED_BACK = "rolled_back"
    MANUAL_ARCHIVE = "manual_archive"


class ContentSurface(models.TextChoices):
    HOME = "home"
    DETAIL = "detail"
    SEARCH = "search"
    POLICIES = "policies"
    ABOUT = "about"
    CUSTOM = "custom"


class Visibility(models.TextChoices):
    ALL = "all"
    DESKTOP_ONLY = "desktop_only"
    MOBILE_ONLY = "mobile_only"


class NavigationSurface(models.TextChoices):
    HEADER = "header"
    FOOTER = "footer"
    MOBILE_DRAWER = "mobile_drawer"


class Theme(TenantModel):
    """theme_config.themes: one per tenant, or per property of a tenant, among the live ones."""

    id = PrefixedIdField(prefix="thm", primary_key=True)
    property_id = models.TextField(null=True, blank=True)
    name = models.TextField()
    scope = models.TextField(choices=ThemeScope.choices)
    default_locale = models.TextField()
    enabled_locales = ArrayField(models.TextField())
    fallback_chain = ArrayField(models.TextField())
    # FK to theme_config.theme_publications (themes_active_publication_fk, DEFERRABLE INITIALLY
    # DEFERRED) in the database; a plain column here so that themeconfig does not depend on publishing.
    active_publication_id = models.TextField(null=True, blank=True)
    status = models.TextField(choices=ThemeStatus.choices)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."themes'
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class ThemeVersion(TenantModel):
    """theme_config.theme_versions: numbered (ordinal) versions of a theme."""

    id = PrefixedIdField(prefix="thv", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="versions")
    ordinal = models.IntegerField()
    status = models.TextField(choices=ThemeVersionStatus.choices)
    tokens = models.JSONField()
    layout_selections = models.JSONField()
    ai_provenance = models.JSONField(null=True, blank=True)
    release_notes = models.TextField(null=True, blank=True)
    published_bundle_url = models.TextField(null=True, blank=True)
    published_bundle_sha256 = models.TextField(null=True, blank=True)
    published_bundle_size = models.IntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.TextField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_reason = models.TextField(choices=ArchivedReason.choices, null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."theme_versions'
        ordering = ["theme_id", "ordinal"]

    def __str__(self) -> str:
        return f"{self.theme.name}, version {self.ordinal}"


class ContentBlock(TenantModel):
    """theme_config.content_blocks: ordered blocks of one surface of a version."""

    id = PrefixedIdField(prefix="cnb", primary_key=True)
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="content_blocks")
    surface = models.TextField(choices=ContentSurface.choices)
    kind = models.TextField()
    ordinal = models.IntegerField()
    visibility = models.TextField(choices=Visibility.choices)
    body = models.JSONField()
    meta = models.JSONField()
    ai_provenance = models.JSONField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."content_blocks'
        ordering = ["theme_version_id", "surface", "ordinal"]

    def __str__(self) -> str:
        """As staff find it on its page: "Home · Rich text #1", "Detail · FAQ #2" (its id is for the API)."""
        return f"{self.get_surface_display()} · {content_kind_label(self.kind)} #{self.ordinal + 1}"


class NavigationConfig(TenantModel):
    """theme_config.navigation_configs: one item tree per surface of a version."""

    id = PrefixedIdField(prefix="nvc", primary_key=True)
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="navigation_configs")
    surface = models.TextField(choices=NavigationSurface.choices)
    items = models.JSONField()
    # Not columns of this table.
    created_by = None

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."navigation_configs'
        ordering = ["theme_version_id", "surface"]

    def __str__(self) -> str:
        return f"{self.surface} navigation"


class BookingFlowConfig(TenantModel):
    """theme_config.booking_flow_configs: at most one per version (booking_flow_configs_uq)."""

    id = PrefixedIdField(prefix="bfc", primary_key=True)
    theme_version = models.OneToOneField(ThemeVersion, on_delete=models.CASCADE, related_name="booking_flow_config")
    steps = models.JSONField()
    toggles = models.JSONField()
    consent = models.JSONField()
    # Not columns of this table.
    created_by = None

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."booking_flow_configs'

    def __str__(self) -> str:
        return "booking flow"


class EmailTheme(TenantModel):
    """theme_config.email_themes: at most one per version (email_themes_uq)."""

    id = PrefixedIdField(prefix="emt", primary_key=True)
    theme_version = models.OneToOneField(ThemeVersion, on_delete=models.CASCADE, related_name="email_theme")
    tokens = models.JSONField()
    logo_ref = models.JSONField()
    footer = models.JSONField()
    # Not columns of this table.
    created_by = None

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."email_themes'

    def __str__(self) -> str:
        return "e-mail theme"


class LocalePack(TenantModel):
    """theme_config.locale_packs: one per (version, locale) (locale_packs_uq)."""

    id = PrefixedIdField(prefix="lpk", primary_key=True)
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="locale_packs")
    locale = models.TextField()
    entries = models.JSONField()
    ai_provenance = models.JSONField(null=True, blank=True)
    completeness_pct = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # Not columns of this table.
    created_at = None
    created_by = None

    class Meta(TenantModel.Meta):
        db_table = 'theme_config"."locale_packs'
        ordering = ["theme_version_id", "locale"]

    def __str__(self) -> str:
        return f"{locale_label(self.locale)} locale pack"
