"""The version's locales page (tab "Locales"): each enabled locale's pack with its completeness against
the default locale's keys, its missing keys and its mismatched keys (ICU arguments or plural categories
that do not match the default message), and an editor per locale.

The editor has a row per key of the default locale, its default text shown beside this locale's input;
the default locale's editor adds keys. Saving goes through locale_pack_patch (or locale_pack_put for a
locale that has no pack yet), which checks every message (ICU syntax, parity with the default message,
the language's plural categories); a refusal shows beside the key's input, the input kept. Viewers,
published and archived versions and a deleted theme's versions see the same page without forms.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.http import urlencode

from themeconfig import services
from themeconfig.admin import workspace
from themeconfig.admin.base import can, domain_error_text, principal_of, refusal_shown
from themeconfig.admin.common import EDITABLE_VERSIONS, actor_label, actor_names, status_badge, when_label
from themeconfig.errors import ThemeErrorCode
from themeconfig.models import LocalePack, ThemeVersion
from themeconfig.platform.errors import DomainError
from themeconfig.platform.permissions import Permission
from themeconfig.selectors.themes import locale_pack_list
from themeconfig.services.versions import direction_of
from themeconfig.validators import ContractViolation, validate_locale_entries
from themeconfig.validators.locales import MESSAGE_KEY_MAX_LENGTH, completeness_text, locale_label

SLUG = "locales"
MEDIA = forms.Media(css={"all": ["themeconfig/admin/locales.css"]})
ENTRY_PREFIX = "entry."
LONG_MESSAGE = 80  # longer messages (or ones with a line break) get a textarea


def theme_locales(theme) -> list[str]:
    """The theme's enabled locales, the default one first (the others are measured against it)."""
    return [theme.default_locale, *[code for code in theme.enabled_locales if code != theme.default_locale]]


def _key_of(path: str) -> str:
    """The message key a pointer like "/common.greeting" (relative to the entries) names."""
    first = path.lstrip("/").split("/", 1)[0]
    return first.replace("~1", "/").replace("~0", "~")


@dataclass
class PackSummary:
    """One enabled locale's pack as the page shows it."""
    locale: str
    label: str
    is_default: bool
    pack: LocalePack | None
    total: int  # keys of the default locale
    translated: int
    pct: Decimal  # computed here, against the default locale's keys
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # keys the default locale does not have
    mismatched: list[dict] = field(default_factory=list)  # {key, messages}

    @property
    def pct_text(self) -> str:
        return completeness_text(self.pct)

    @property
    def stored_differs(self) -> bool:
        return self.pack is not None and not self.is_default and abs(Decimal(self.pack.completeness_pct) - self.pct) >= 1

    @property
    def stored_text(self) -> str:
        return completeness_text(Decimal(self.pack.completeness_pct)) if self.pack is not None else ""


def reference_entries(version: ThemeVersion, packs: dict[str, LocalePack], locale: str) -> dict | None:
    """`default_locale_entries` from the version's packs already read (one query for the page)."""
    if locale == version.theme.default_locale:
        return None
    default = packs.get(version.theme.default_locale)
    return default.entries if default else {}


def summarize(version: ThemeVersion, packs: dict[str, LocalePack]) -> list[PackSummary]:
    theme = version.theme
    summaries = []
    for locale in theme_locales(theme):
        pack = packs.get(locale)
        entries = pack.entries if pack is not None and isinstance(pack.entries, dict) else {}
        reference = reference_entries(version, packs, locale)  # None for the default locale itself
        is_default = reference is None
        keys = list(entries) if is_default else list(reference)
        translated = [key for key in keys if key in entries]
        if is_default:
            pct = Decimal(100) if pack is not None else Decimal(0)
        elif not keys:
            pct = Decimal(100) if pack is not None else Decimal(0)
        else:
            pct = (Decimal(len(translated) * 100) / Decimal(len(keys))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        summary = PackSummary(
            locale=locale, label=locale_label(locale), is_default=is_default, pack=pack, total=len(keys),
            translated=len(translated), pct=pct,
            missing=[] if is_default else sorted(key for key in keys if key not in entries),
            extra=[] if is_default else sorted(key for key in entries if key not in reference),
        )
        if pack is not None:
            summary.mismatched = _mismatches(entries, reference, locale)
        summaries.append(summary)
    return summaries


def _mismatches(entries: dict, reference: dict | None, locale: str) -> list[dict]:
    """Keys whose message the validators refuse now (the default message may have changed since):
    ICU arguments or plural categories that do not match, or a message that no longer parses."""
    try:
        validate_locale_entries(entries, default_entries=reference, locale=locale)
    except ContractViolation as violation:
        by_key: dict[str, list[str]] = {}
        for issue in violation.issues:
            if issue.code == "unknown_key":
                continue  # listed as "not in the default locale"
            by_key.setdefault(_key_of(issue.path), []).append(issue.message)
        return [{"key": key or "(the pack)", "messages": found} for key, found in sorted(by_key.items())]
    return []


# --- the editor ---------------------------------------------------------------------------------------

class PackForm(forms.Form):
    """One locale's messages: an input per key of the default locale (plus keys only this pack has);
    the default locale's form also adds a key."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, summary: PackSummary, reference: dict | None):
        super().__init__(data, auto_id=f"id_{summary.locale}_%s")
        self.summary = summary
        self.locale = summary.locale
        pack = summary.pack
        self.current = dict(pack.entries) if pack is not None and isinstance(pack.entries, dict) else {}
        self.fields["expected_version"].initial = pack.version if pack is not None else None
        keys = sorted(self.current) if reference is None else sorted(reference) + summary.extra
        self.rows = []
        for key in keys:
            name = ENTRY_PREFIX + key
            default_text = None if reference is None else reference.get(key)
            value = self.current.get(key, "")
            long = any(len(t or "") > LONG_MESSAGE or "\n" in (t or "") for t in (value, default_text))
            attrs = {"lang": self.locale, "dir": direction_of(self.locale),
                     "class": "vLargeTextField" if long else "vTextField"}
            widget = forms.Textarea(attrs={**attrs, "rows": 3}) if long else forms.TextInput(attrs=attrs)
            self.fields[name] = forms.CharField(required=False, strip=False, label=key, initial=value, widget=widget)
            self.rows.append({"key": key, "name": name, "default": default_text, "value": value,
                              "missing": key not in self.current,
                              "extra": reference is not None and key not in reference})
        if reference is None:
            self.fields["new_key"] = forms.CharField(
                required=False, label="New key", widget=forms.TextInput(attrs={"class": "vTextField"}),
                help_text="Lower-case words separated by dots, like booking.search.title.")
            self.fields["new_message"] = forms.CharField(
                required=False, strip=False, label=f"Its message in {summary.label}",
                widget=forms.TextInput(attrs={"class": "vTextField", "lang": self.locale, "dir": direction_of(self.locale)}),
                help_text="An ICU message: {name} for an argument, {count, plural, one {…} other {…}} for plurals.")

    def bound_rows(self) -> list[dict]:
        return [{**row, "field": self[row["name"]]} for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        changes: dict[str, str | None] = {}
        for row in self.rows:
            text = cleaned.get(row["name"]) or ""
            old = self.current.get(row["key"])
            if not text.strip():
                if old is not None:
                    changes[row["key"]] = None  # cleared: the key falls back to the default
            elif text != old:
                changes[row["key"]] = text
        new_key, new_message = (cleaned.get("new_key") or "").strip(), cleaned.get("new_message") or ""
        if new_key:
            if new_key in self.current:
                self.add_error("new_key", f"'{new_key}' is already a key: edit its row above.")
            else:
                changes[new_key] = new_message
        elif new_message.strip():
            self.add_error("new_key", "Give the new message a key.")
        cleaned["new_key"] = new_key
        cleaned["changes"] = changes
        return cleaned

    def add_refusal(self, error: DomainError) -> None:
        """Each error beside the input of the key its path names (`/entries/<key>`)."""
        new_key = (self.cleaned_data or {}).get("new_key") if hasattr(self, "cleaned_data") else None
        if not error.errors:
            self.add_error(None, error.message)
        for field_error in error.errors:
            path = field_error.path
            if path.startswith("/entries/"):
                key = _key_of(path.removeprefix("/entries"))
                if ENTRY_PREFIX + key in self.fields:
                    self.add_error(ENTRY_PREFIX + key, field_error.message)
                    continue
                if new_key and key == new_key and "new_key" in self.fields:
                    about_key = field_error.code == "invalid_key" or (
                        field_error.code == "too_long" and len(key) > MESSAGE_KEY_MAX_LENGTH)
                    self.add_error("new_key" if about_key else "new_message", field_error.message)
                    continue
            self.add_error(None, f"{path.strip('/') or 'entries'}: {field_error.message}")

    def keep_their_version(self, current_version) -> None:
        data = self.data.copy()
        data["expected_version"] = str(current_version)
        self.data = data


# --- the page -----------------------------------------------------------------------------------------

def can_edit(request, version: ThemeVersion) -> bool:
    return (can(request, Permission.THEMES_EDIT) and version.status in EDITABLE_VERSIONS
            and version.theme.deleted_at is None)


def page_url(model_admin, version) -> str:
    return workspace.page_url(model_admin.admin_site.name, "version", SLUG, version.pk)


def _packs(version) -> dict[str, LocalePack]:
    return {pack.locale: pack for pack in locale_pack_list(version_id=version.pk)}


def _selected(version, params) -> str:
    locales = theme_locales(version.theme)
    chosen = params.get("locale")
    return chosen if chosen in locales else locales[0]


def conflict_text(label: str, current: LocalePack | None, *, input_kept: bool) -> str:
    if current is None:
        text = f"Someone else deleted the {label} pack after you loaded the page."
    else:
        text = (f"{actor_label(current.updated_by)} changed the {label} pack at {when_label(current.updated_at)} "
                f"(now version {current.version}), after you loaded the page.")
    if input_kept:
        return text + " Your input is kept below. Save again to overwrite their change, or reload to start from it."
    return text + " Nothing was changed; try again."


@workspace.workspace_page("version", SLUG, "Locales", order=40)
def locales_page(model_admin, request, version):
    if request.method == "POST":
        if not can(request, Permission.THEMES_EDIT):
            raise PermissionDenied
        return _post(model_admin, request, version)
    return _render(model_admin, request, version, _selected(version, request.GET),
                   confirm_delete=request.GET.get("delete") == "1")


def _post(model_admin, request, version):
    locale = _selected(version, request.POST)
    back = HttpResponseRedirect(page_url(model_admin, version) + "?" + urlencode({"locale": locale}) + "#editor")
    if not can_edit(request, version):  # the use cases refuse it too (published, archived, deleted theme)
        messages.error(request, _read_only_reason(request, version))
        return back
    principal = principal_of(request)
    packs = _packs(version)
    summary = next(s for s in summarize(version, packs) if s.locale == locale)
    label = summary.label
    if request.POST.get("action") == "delete":
        def on_delete(error):
            messages.error(request, conflict_text(label, packs.get(locale), input_kept=False)
                           if error.code == ThemeErrorCode.VERSION_CONFLICT else domain_error_text(error))

        with refusal_shown(request, on_delete) as refusal:
            services.locale_pack_delete(principal=principal, version_id=version.pk, locale=locale,
                                        expected_version=_int(request.POST.get("expected_version")))
        if refusal:
            return back
        messages.success(request, f"The {label} pack is deleted.")
        return back

    form = PackForm(request.POST, summary=summary, reference=reference_entries(version, packs, locale))
    if not form.is_valid():
        return _render(model_admin, request, version, locale, form=form)
    changes = form.cleaned_data["changes"]
    pack = summary.pack
    if pack is not None and not changes:
        messages.info(request, f"Nothing to save: the {label} messages are unchanged.")
        return back
    def on_form(error):
        stale = error.code == ThemeErrorCode.VERSION_CONFLICT or (
            pack is None and error.code == ThemeErrorCode.PRECONDITION_REQUIRED)  # created by someone meanwhile
        if stale:
            current = locale_pack_list(version_id=version.pk, locale=locale).first()
            form.add_error(None, conflict_text(label, current, input_kept=True))
            if current is not None:
                form.keep_their_version(current.version)
        else:
            form.add_refusal(error)

    with refusal_shown(request, on_form) as refusal:
        if pack is None:
            services.locale_pack_put(principal=principal, version_id=version.pk, locale=locale,
                                     entries={k: v for k, v in changes.items() if v is not None})
        else:
            services.locale_pack_patch(principal=principal, version_id=version.pk, locale=locale, entries=changes,
                                       expected_version=form.cleaned_data.get("expected_version"))
    if refusal:
        return _render(model_admin, request, version, locale, form=form)
    messages.success(request, f"The {label} pack is {'saved' if pack is not None else 'created'}.")
    return back


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _render(model_admin, request, version, locale: str, *, form: PackForm | None = None, confirm_delete=False):
    theme = version.theme
    editable = can_edit(request, version)
    packs = _packs(version)
    summaries = summarize(version, packs)
    selected = next(s for s in summaries if s.locale == locale)
    reference = reference_entries(version, packs, locale)
    if form is None:
        form = PackForm(summary=selected, reference=reference)
    default_summary = summaries[0]
    names = actor_names(s.pack.updated_by for s in summaries if s.pack)  # one lookup for every pack's author
    context = {
        "media": model_admin.media + MEDIA,
        "editable": editable,
        "read_only_reason": _read_only_reason(request, version),
        "version_status": status_badge(version.status, version.get_status_display()),
        "summaries": summaries,
        "default_summary": default_summary,
        "selected": selected,
        "form": form if editable else None,
        "rows": form.bound_rows(),
        "reference_label": locale_label(theme.default_locale),
        "editor_tabs": [{"label": s.label, "current": s.locale == locale,
                         "url": "?" + urlencode({"locale": s.locale}) + "#editor"} for s in summaries],
        "confirm_delete": editable and confirm_delete and selected.pack is not None,
        "delete_url": "?" + urlencode({"locale": locale, "delete": "1"}) + "#editor",
        "cancel_url": "?" + urlencode({"locale": locale}) + "#editor",
        "updated_by": actor_label(selected.pack.updated_by, names) if selected.pack else "",
        "updated_at": when_label(selected.pack.updated_at) if selected.pack else "",
    }
    for summary in summaries:
        summary.editor_url = "?" + urlencode({"locale": summary.locale}) + "#editor"
        summary.updated = (f"{actor_label(summary.pack.updated_by, names)}, {when_label(summary.pack.updated_at)}"
                           if summary.pack else "")
    return workspace.render_workspace_page(model_admin, request, version, slug=SLUG,
                                           template="admin/themeconfig/locales/page.html", context=context,
                                           title=f"Locales: {theme.name}, version {version.ordinal}")


def _read_only_reason(request, version) -> str:
    if version.theme.deleted_at is not None:
        return "The theme is deleted: its versions are read-only."
    if version.status not in EDITABLE_VERSIONS:
        return (f"Version {version.ordinal} is {version.get_status_display().lower()}: it never changes. "
                "Create a new draft from it to edit its messages.")
    if not can(request, Permission.THEMES_EDIT):
        return "Your role can read this version's messages but not change them."
    return ""
