"""The AI workspace in the tenant staff's theme workspace (/admin/): a theme's "AI palettes" page and a
version's "AI drafts" page (workspace pages, themeconfig/admin/workspace.py).

Editors (themes.edit) ask for a draft: the page POSTs to a generation use case, which answers with a
job at once; the job then shows on the page with its state, followed without reloading by
ai_workspace/admin/generation-jobs.js from the page's own JSON answer (`?job=<id>&format=json`),
or by the Refresh link without JavaScript. Reviewers (ai.review) approve a pending draft (a palette
onto a chosen draft version, a translation's ticked keys only) or reject it with a note. Each draft
is drawn against what approving it would replace (the selectors' diffs, computed now); viewers see
the same lists without forms, and a POST their role cannot make is a 403. A use case's refusal is
shown beside the field its JSON path names, or as a message (a stale draft, a decided one, a limit).

Django's admin autodiscovery imports this package; importing its page modules registers the pages:
palettes.py (the theme's "AI palettes"), drafts.py (the version's "AI drafts"), both built on
common.py (job progress and its JSON answer, labels, the decision form, asking and deciding).
"""
from __future__ import annotations

from . import drafts, palettes

__all__ = ["drafts", "palettes"]
