"""Django admin for tenant staff: every admin page runs inside the tenant the user picked.

The tenant picker and invitation links run outside any tenant context (`tenant_free`). A user with
exactly one tenant never sees the picker; the header names the current tenant with a link to
switch; "View site" opens the tenant's own host.
"""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from themeconfig import selectors, services
from themeconfig.platform.endpoints import tenant_free
from themeconfig.platform.errors import DomainError
from themeconfig.platform.middleware import SESSION_TENANT_KEY
from themeconfig.platform.tenant_context import user_context
from themeconfig.selectors.tenancy import tenant_site_host

# Admin pages that work without a tenant.
_TENANT_FREE_VIEWS = {"login", "logout", "password_change", "password_change_done", "jsi18n"}


class TenantAdminSite(admin.AdminSite):
    site_header = "theme-config"
    site_title = "theme-config admin"
    index_title = "Theme configuration"

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            url_name = getattr(request.resolver_match, "url_name", None)
            if (
                request.user.is_authenticated
                and request.user.is_staff
                and getattr(request, "principal", None) is None
                and url_name not in _TENANT_FREE_VIEWS
            ):
                return HttpResponseRedirect(reverse("admin-select-tenant") + f"?next={request.get_full_path()}")
            return inner(request, *args, **kwargs)

        wrapper.admin_site = self  # type: ignore[attr-defined]
        return wrapper

    def each_context(self, request):
        """Django's context plus the current tenant's name for the header, and "View site" pointing
        at the tenant's site (Django's default, "/", is a 404 here); no tenant, no host: no link."""
        context = super().each_context(request)
        principal = getattr(request, "principal", None)
        context["current_tenant_name"] = (
            (getattr(request, "tenant_name", None) or selectors.current_tenant().name) if principal is not None else None)
        context["site_url"] = self.tenant_site_url(request) if principal is not None else None
        return context

    @staticmethod
    def tenant_site_url(request) -> str | None:
        """The guest site on the tenant's first verified host (a pending one serves nothing yet),
        tenant-wide hosts before property hosts (RLS limits the rows to the current tenant), in the
        scheme this admin is served over."""
        host = tenant_site_host()
        return f"{request.scheme}://{host}/" if host else None

    def get_urls(self):
        from django.contrib.contenttypes import views as contenttype_views
        from django.urls import path

        def view_on_site(request, content_type_id, object_id):
            # Django's shortcut sends the id to PostgreSQL unchecked; a NUL there is a DataError.
            if "\x00" in object_id:
                raise Http404("No such object.")
            return contenttype_views.shortcut(request, content_type_id, object_id)

        urls = super().get_urls()
        replacement = path("r/<int:content_type_id>/<path:object_id>/", self.admin_view(view_on_site),
                           name="view_on_site")
        return [replacement if getattr(u, "name", None) == "view_on_site" else u for u in urls]


@tenant_free
@login_required(login_url="/admin/login/")
@require_http_methods(["GET", "POST"])
def select_tenant_view(request):
    """Lists the tenants the user belongs to; POST picks one for this admin session.

    A user with exactly one tenant and none picked yet gets it without being asked (a GET here is
    where the admin sends them); someone who came to switch (a tenant is picked) sees the list.
    """
    with user_context(request.user.pk):
        memberships = selectors.memberships_of_user(user_id=request.user.pk)
    allowed = {m.tenant_id for m in memberships}
    error = None
    if request.method == "GET" and len(memberships) == 1 and not request.session.get(SESSION_TENANT_KEY):
        request.session[SESSION_TENANT_KEY] = memberships[0].tenant_id
        return HttpResponseRedirect(_admin_next(request.GET.get("next")))
    if request.method == "POST":
        chosen = request.POST.get("tenant_id", "")
        if chosen in allowed:
            request.session[SESSION_TENANT_KEY] = chosen
            return HttpResponseRedirect(_admin_next(request.POST.get("next")))
        error = "Pick one of the tenants you belong to."
    return render(
        request,
        "admin/select_tenant.html",
        {
            "memberships": memberships,
            "current": request.session.get(SESSION_TENANT_KEY),
            "next": request.GET.get("next", ""),
            "error": error,
            "site_header": admin.site.site_header,
            "platform_url": reverse("platform:index") if request.user.is_superuser else None,
        },
        status=400 if error else 200,
    )


def _admin_next(next_url: str | None) -> str:
    """Where to go after picking: the admin page the user came from, never somewhere else."""
    if not next_url or not next_url.startswith("/admin/") or "\x00" in next_url:
        return reverse("admin:index")
    return next_url


INVITATION_SESSION_KEY = "theme_config_invitation"


@tenant_free
@require_http_methods(["GET"])
def invitation_link_view(request, token: str):
    """The link from the e-mail: the secret moves into the session and out of the URL at once, so
    it is not in the address bar, the Referer header or later log lines (as Django's password
    reset does)."""
    request.session[INVITATION_SESSION_KEY] = token
    return HttpResponseRedirect(reverse("admin-accept-invitation"))


@tenant_free
@require_http_methods(["GET", "POST"])
def accept_invitation_view(request):
    """A signed-in user with the invited address joins; anyone else may create the account for
    that address here, or sign in first."""
    token = request.session.get(INVITATION_SESSION_KEY, "")
    context = {"site_header": admin.site.site_header, "errors": []}
    try:
        invitation = services.invitation_lookup(token=token)
    except DomainError as error:
        context["error"] = error.message
        return render(request, "admin/accept_invitation.html", context, status=error.http_status)
    context["invitation"] = invitation
    if request.method == "POST":
        context["username"] = request.POST.get("username", "")
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(token=token, user_id=request.user.pk)
            else:
                membership = services.invitation_accept_as_new_user(
                    token=token, username=request.POST.get("username", ""), password=request.POST.get("password", ""),
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except DomainError as error:
            context["error"] = error.message
            context["errors"] = error.errors
            return render(request, "admin/accept_invitation.html", context, status=error.http_status)
        request.session.pop(INVITATION_SESSION_KEY, None)
        request.session[SESSION_TENANT_KEY] = membership.tenant_id
        return HttpResponseRedirect(reverse("admin:index"))
    return render(request, "admin/accept_invitation.html", context)


@tenant_free
@require_http_methods(["GET", "HEAD"])
def favicon_view(request):
    """`/favicon.ico`, which browsers ask for whatever the page says: the static icon (served by
    whitenoise, under its hashed name in production), through a temporary redirect because that
    name changes with each deploy."""
    return HttpResponseRedirect(static("themeconfig/favicon.ico"))


def tenant_context_processor(request):
    principal = getattr(request, "principal", None)
    return {"current_tenant_id": principal.tenant_id if principal is not None else None}
