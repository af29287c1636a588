"""Representations of AI drafts and of the review requests on them (shape only)."""
from __future__ import annotations

from rest_framework import serializers

from ai_workspace.models import ContentDraft, GenerationJob, PaletteSuggestion, TranslationDraft
from ai_workspace.providers.oklch_palette import MOODS
from ai_workspace.services import MAX_NOTE

DECISION = ["status", "ai_provenance", "approver_user_id", "approver_note", "applied_to_version_id", "created_at",
            "decided_at"]
DIFF_HELP = "What approving would change, from the current state: current against drafted value."


class PaletteSuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaletteSuggestion
        fields = ["id", "theme_id", "drafted_tokens", *DECISION]
        read_only_fields = fields


class TranslationDraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = TranslationDraft
        fields = ["id", "theme_version_id", "locale", "drafted_entries", *DECISION]
        read_only_fields = fields


class ContentDraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContentDraft
        fields = ["id", "theme_version_id", "content_block_id", "surface", "kind", "drafted_body", "drafted_meta",
                  *DECISION]
        read_only_fields = fields


class PaletteSuggestionDetailSerializer(PaletteSuggestionSerializer):
    diff = serializers.JSONField(read_only=True, help_text=DIFF_HELP + " {version_id, tokens: [{token, current, "
                                 "drafted, change: added|changed|unchanged|removed}]}.")

    class Meta(PaletteSuggestionSerializer.Meta):
        fields = [*PaletteSuggestionSerializer.Meta.fields, "diff"]
        read_only_fields = fields


class TranslationDraftDetailSerializer(TranslationDraftSerializer):
    diff = serializers.JSONField(read_only=True, help_text=DIFF_HELP + " {version_id, locale, entries: [{key, "
                                 "current, drafted, change: added|changed|unchanged}]}.")

    class Meta(TranslationDraftSerializer.Meta):
        fields = [*TranslationDraftSerializer.Meta.fields, "diff"]
        read_only_fields = fields


class ContentDraftDetailSerializer(ContentDraftSerializer):
    diff = serializers.JSONField(read_only=True, help_text=DIFF_HELP + " {version_id, content_block_id, current: "
                                 "{body, meta} | null, drafted: {body, meta}, change}.")

    class Meta(ContentDraftSerializer.Meta):
        fields = [*ContentDraftSerializer.Meta.fields, "diff"]
        read_only_fields = fields


# kind → (serializer, detail serializer)
DRAFT_SERIALIZERS = {
    "palette": (PaletteSuggestionSerializer, PaletteSuggestionDetailSerializer),
    "translation": (TranslationDraftSerializer, TranslationDraftDetailSerializer),
    "content": (ContentDraftSerializer, ContentDraftDetailSerializer),
}


class DraftApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=MAX_NOTE,
                                 trim_whitespace=False)
    keys = serializers.ListField(child=serializers.CharField(max_length=500, trim_whitespace=False), required=False,
                                 max_length=5000, help_text="A translation draft: approve only these keys.")
    version_id = serializers.CharField(required=False, max_length=26,
                                       help_text="A palette: the draft version to apply it to (default: the one "
                                                 "recorded when it was drafted).")


class DraftRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, allow_blank=True, trim_whitespace=False,
                                 help_text="Why the draft is turned down (required).")


# --- generation ----------------------------------------------------------------------------------

class GenerationJobSerializer(serializers.ModelSerializer):
    draft_url = serializers.SerializerMethodField(help_text="The draft this job made, once it succeeded.")

    class Meta:
        model = GenerationJob
        fields = ["id", "kind", "theme_id", "theme_version_id", "status", "provider", "parameters", "base",
                  "draft_id", "draft_url", "error_code", "error_message", "errors", "trace", "attempts",
                  "requested_by", "created_at", "started_at", "finished_at", "updated_at"]
        read_only_fields = fields

    def get_draft_url(self, job) -> str | None:
        return f"/api/v1/ai-drafts/{job.kind}/{job.draft_id}/" if job.draft_id else None


class PaletteGenerateSerializer(serializers.Serializer):
    mood = serializers.ChoiceField(choices=list(MOODS), help_text="The palette's mood (its colour harmony).")
    brand_kit_id = serializers.CharField(required=False, max_length=26,
                                         help_text="Default: the tenant's default brand kit.")
    version_id = serializers.CharField(required=False, max_length=26,
                                       help_text="The draft version whose non-colour tokens the palette keeps and "
                                                 "that approval targets by default (default: the newest).")


class TranslationGenerateSerializer(serializers.Serializer):
    locale = serializers.CharField(max_length=35, help_text="An enabled locale other than the default one.")
    plural_categories = serializers.ChoiceField(
        choices=["target", "source"], required=False,
        help_text="target (default): plurals get the target language's CLDR categories; source: as in the source.")


class ContentGenerateSerializer(serializers.Serializer):
    surface = serializers.CharField(max_length=20)
    kind = serializers.CharField(max_length=40)
    locale = serializers.CharField(required=False, max_length=35, help_text="Default: the theme's default locale.")
    content_block_id = serializers.CharField(required=False, max_length=26,
                                             help_text="A block (same surface and kind) the draft would replace.")
    property_id = serializers.CharField(required=False, max_length=26, help_text="Default: the theme's property.")
    facts = serializers.DictField(required=False, help_text=(
        "Facts for the content, used as data only: name, city, country, description, booking_url, images "
        "[{url, alt}], amenities, room_type_codes, latitude, longitude, testimonials, faq, policy_type, policy_text."))
