"""Models of the AI human-in-the-loop workspace (seed 000 §3.11; DDL in sql/0001_drafts.sql).

Each row is one AI draft awaiting a human decision: a palette for a theme, the entries of one
locale pack, or the body/meta of one content block. No Meta.indexes/constraints: the SQL owns them.
"""
from django.db import models
from django_rls.models import RLSModel

from themeconfig.models import ContentBlock, ContentSurface, Theme, ThemeVersion
from themeconfig.models.tenancy import tenant_isolation_policy
from themeconfig.platform.ids import PrefixedIdField
from themeconfig.platform.jobs.models import Job
from themeconfig.validators.locales import locale_label


class DraftStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class Draft(RLSModel):
    """What every AI draft has: its tenant, provenance and the human decision on it."""

    tenant_id = models.TextField()
    ai_provenance = models.JSONField()
    status = models.TextField(choices=DraftStatus.choices)
    approver_user_id = models.TextField(null=True, blank=True)
    approver_note = models.TextField(null=True, blank=True)
    # NO ACTION in SQL: a version an approved draft was applied to cannot be deleted under it.
    applied_to_version = models.ForeignKey(
        ThemeVersion, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        rls_policies = [tenant_isolation_policy()]


class PaletteSuggestion(Draft):
    """theme_config.palette_suggestions: drafted design tokens for a theme."""

    id = PrefixedIdField(prefix="ais", primary_key=True)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="palette_suggestions")
    drafted_tokens = models.JSONField()

    class Meta(Draft.Meta):
        db_table = 'theme_config"."palette_suggestions'

    def __str__(self) -> str:
        return f"palette for {self.theme_id} ({self.status})"


class TranslationDraft(Draft):
    """theme_config.translation_drafts: drafted entries of one locale pack of a version."""

    id = PrefixedIdField(prefix="ait", primary_key=True)
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="translation_drafts")
    locale = models.TextField()
    drafted_entries = models.JSONField()

    class Meta(Draft.Meta):
        db_table = 'theme_config"."translation_drafts'

    def __str__(self) -> str:
        return f"{locale_label(self.locale)} translation draft ({self.status})"


class ContentDraft(Draft):
    """theme_config.content_drafts: a drafted content block, new or replacing `content_block`."""

    id = PrefixedIdField(prefix="aic", primary_key=True)
    theme_version = models.ForeignKey(ThemeVersion, on_delete=models.CASCADE, related_name="content_drafts")
    content_block = models.ForeignKey(
        ContentBlock, on_delete=models.CASCADE, null=True, blank=True, related_name="drafts"
    )
    surface = models.TextField(choices=ContentSurface.choices)
    kind = models.TextField()
    drafted_body = models.JSONField()
    drafted_meta = models.JSONField()

    class Meta(Draft.Meta):
        db_table = 'theme_config"."content_drafts'

    def __str__(self) -> str:
        return f"{self.kind.replace('_', ' ')} block draft for {self.surface} ({self.status})"


class GenerationJobKind(models.TextChoices):
    PALETTE = "palette"
    TRANSLATION = "translation"
    CONTENT = "content"


class GenerationJobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class GenerationJob(Job):
    """theme_config.ai_generation_jobs (sql/0002_generation_jobs.sql): one request for a draft, run
    by a worker calling the provider, polled by the caller; ends with a pending draft or an error."""

    id = PrefixedIdField(prefix="aij", primary_key=True)
    kind = models.TextField(choices=GenerationJobKind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="ai_generation_jobs")
    theme_version = models.ForeignKey(
        ThemeVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="ai_generation_jobs"
    )
    parameters = models.JSONField(default=dict)
    base = models.JSONField()
    provider = models.TextField()
    status = models.TextField(choices=GenerationJobStatus.choices, default=GenerationJobStatus.QUEUED)
    draft_id = models.TextField(null=True, blank=True)
    errors = models.JSONField(default=list)

    class Meta(Job.Meta):
        db_table = 'theme_config"."ai_generation_jobs'
        rls_policies = [tenant_isolation_policy()]

    def __str__(self) -> str:
        return f"{self.kind} draft: {self.status}"
