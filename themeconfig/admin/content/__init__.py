"""The version's content page (tab "Content"): its content blocks per surface, each a card in ordinal
order with its kind, visibility and its text in the locale whose tab is open.

Editors get a form per block built from the kind's meta schema (`validators.content.KIND_FIELDS`):
one input per field, the localised ones for the open locale only (the other locales' texts are kept
as they are), and a JSON textarea marked "advanced" only for fields this form does not know. They
add a block (surface, then kind), delete one (after a confirmation) and reorder a surface by drag and
drop (content-blocks.js posts the surface's new order with the version the page was loaded at) or
with Move up / Move down, which work without a script. Every change is a POST through a
version_children use case; a refusal shows beside the field its JSON path names, the input kept, and
a stale save says who changed the block or version, and when. Viewers, published and archived
versions and the versions of a deleted theme get the same page without forms or buttons.

The package: `schema` (the form's view of each kind's meta schema, and reading a block through it),
`forms` (the block form), `page` (the view and its POST actions). Importing it registers the page
(`themeconfig/admin/__init__.py` imports it).
"""
from themeconfig.admin.content.forms import BlockForm
from themeconfig.admin.content.page import MEDIA, SLUG, View, can_edit, content_page, page_url
from themeconfig.admin.content.schema import (
    KIND_LABELS,
    META_FORM,
    Group,
    Rows,
    Value,
    describe,
    form_schema,
    kind_label,
    schema_default,
    text_locales,
)

__all__ = ["KIND_LABELS", "MEDIA", "META_FORM", "SLUG", "BlockForm", "Group", "Rows", "Value", "View", "can_edit",
           "content_page", "describe", "form_schema", "kind_label", "page_url", "schema_default", "text_locales"]
