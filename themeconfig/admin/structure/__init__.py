"""A version's structure pages: its navigation menus (tab "Navigation", `navigation`), its booking flow
("Booking flow", `booking`) and its transactional e-mail look ("E-mail", `email`), each edited without
raw JSON; what they share is in `common`.

Each page is one form of plain inputs that the server turns into the contract's document and saves
with one PUT use case (`navigation_put` per surface, `booking_flow_put`, `email_theme_put`) and the
version of the document the page was loaded with. Structural edits (indent, outdent, move or remove a
menu item, add one; add or remove a footer link) are submit buttons of the same form: the server
answers with the rearranged form, not saved yet, so they work without a script and keep what was
typed. Booking steps run in the contract's fixed order, so they have no such buttons. A refusal is
shown beside the input its JSON path names (the longest path the page knows), the input kept; a stale
save says who saved since, and when. Viewers, published and archived versions and the versions of a
deleted theme get the same content without forms.

Importing this package registers the three pages (`themeconfig/admin/__init__.py` imports it).
"""
from themeconfig.admin.structure.booking import booking_page
from themeconfig.admin.structure.email import email_page
from themeconfig.admin.structure.navigation import NavRow, nav_apply, navigation_page

__all__ = ["NavRow", "booking_page", "email_page", "nav_apply", "navigation_page"]
