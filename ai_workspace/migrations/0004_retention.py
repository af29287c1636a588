"""Retention (seed 000 §8, AI HITL workspace tables: 365 days): the indexes the retention worker
reads old drafts and finished generation jobs through, built CONCURRENTLY (populated tables), so
the migration is not atomic and each index is its own statement."""
from django.db import migrations

from themeconfig.platform.migration_ops import concurrent_index


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("ai_workspace", "0002_generation_jobs")]

    operations = [
        *[
            concurrent_index(f"{table}_retention_idx", f"theme_config.{table} ((coalesce(decided_at, created_at)))")
            for table in ("palette_suggestions", "translation_drafts", "content_drafts")
        ],
        concurrent_index(
            "ai_generation_jobs_finished_idx",
            "theme_config.ai_generation_jobs (finished_at) WHERE finished_at IS NOT NULL",
        ),
    ]
