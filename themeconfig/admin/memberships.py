"""Tenant staff's admin of members and invitations: people join by a one-time link sent to their
address (never by picking a user); here their role changes or they are removed."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from themeconfig import services
from themeconfig.admin.actors import ActorColumns
from themeconfig.admin.api_keys import member_keys_url
from themeconfig.admin.base import TenantScopedAdmin, can, model_breadcrumbs, principal_of, show_secret_once
from themeconfig.models import Invitation, Membership
from themeconfig.platform import encryption
from themeconfig.platform.permissions import Permission, role_permissions
from themeconfig.selectors.api_keys import api_key_list


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Members are added by invitation (the changelist's "Invite a member"); here their role
    changes (membership_change_role) or they are removed (membership_remove)."""

    form = MembershipRoleForm
    edit_permission = Permission.MEMBERS_MANAGE
    can_add = False  # no user lookup: other tenants' users are not ours to list
    can_delete = True
    list_display = ["user", "user_email", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "user_email", "role"]
    readonly_fields = ["user", "user_email"]

    @admin.display(description="e-mail")
    def user_email(self, obj):
        return obj.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def changelist_view(self, request, extra_context=None):
        invite_url = reverse("admin:themeconfig_invitation_add") if can(request, Permission.MEMBERS_MANAGE) else None
        return super().changelist_view(request, {**(extra_context or {}), "invite_url": invite_url})

    def save_model(self, request, obj, form, change):
        services.membership_change_role(principal=principal_of(request), membership_id=obj.pk, role=obj.role)
        if role_permissions(form.initial.get("role")) - role_permissions(obj.role):
            request._keys_of_member = (obj.user_id, f"{obj.user} was demoted to {obj.role}")

    def delete_model(self, request, obj):
        services.membership_remove(principal=principal_of(request), membership_id=obj.pk)
        request._keys_of_member = (obj.user_id, f"{obj.user} was removed")

    def _their_live_keys(self, request):
        """After a removal or demotion: the API keys the member created that still work, to revoke."""
        user_id, what = getattr(request, "_keys_of_member", (None, None))
        live = api_key_list(created_by_user=user_id, live=True).count() if user_id is not None else 0
        if not live:
            return None
        self.message_user(request, f"{what}; {live} live API key(s) they created still work: revoke the ones that "
                                   "should stop (select them, then \"Revoke the selected API keys\").", messages.WARNING)
        return HttpResponseRedirect(member_keys_url(user_id))

    def response_change(self, request, obj):
        return self._their_live_keys(request) or super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        return self._their_live_keys(request) or super().response_delete(request, obj_display, obj_id)


class InvitationForm(forms.ModelForm):
    email = forms.EmailField()

    class Meta:
        model = Invitation
        fields = ["email", "role"]


@admin.register(Invitation)
class InvitationAdmin(ActorColumns, TenantScopedAdmin):
    """Invite by e-mail with a role (membership_invite); the one-time link is shown once, in the
    response body only; open invitations can be revoked."""

    form = InvitationForm
    edit_permission = Permission.MEMBERS_MANAGE
    list_display = ["email", "role", "invited_by_label", "created_at", "expires_at", "accepted_at", "revoked_at"]
    actor_fields = ("invited_by",)
    list_filter = ["role"]
    search_fields = ["email"]  # a whole address, matched through email_hash (the column is encrypted)
    actions = ["revoke"]

    def get_search_results(self, request, queryset, search_term):
        address = search_term.strip().lower()
        if not address:
            return queryset, False
        return queryset.filter(email_hash__in=encryption.lookup_hashes(address)), False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # issued and revoked, never edited

    @admin.display(description="invited by", ordering="invited_by")
    def invited_by_label(self, obj):
        return self.actor_column(obj, "invited_by")

    def save_model(self, request, obj, form, change):
        invitation, secret = services.membership_invite(principal=principal_of(request), email=obj.email, role=obj.role)
        obj.pk, obj.tenant_id = invitation.pk, invitation.tenant_id
        request._invitation_link = request.build_absolute_uri(reverse("admin-invitation-link", args=[secret]))

    def response_add(self, request, obj, post_url_continue=None):
        return show_secret_once(
            request, title=f"Invitation for {obj.email}", secret=request._invitation_link,
            explanation="Send this one-time link to the person you invited; it is shown only now and "
                        "works for 7 days, for that e-mail address only.",
            back_url=reverse("admin:themeconfig_invitation_changelist"), admin_site=self.admin_site,
            breadcrumbs=model_breadcrumbs(self.admin_site, self.opts),
        )

    @admin.action(description="Revoke the selected invitations", permissions=["change"])
    def revoke(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(principal=principal_of(request), invitation_id=invitation.pk)
        self.message_user(request, f"Revoked {len(queryset)} invitation(s).")
