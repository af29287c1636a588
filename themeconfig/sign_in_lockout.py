"""The page a locked sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE), on the tenant admin and /platform/."""
from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse

from themeconfig.operator_admin.site import operator_site


def locked_out_view(request, original_response=None, credentials=None):
    """The admin's own page, saying for how long and how to get back, with axes' status (429) and
    Retry-After, instead of axes' bare line of text."""
    site = operator_site if request.path.startswith(reverse("platform:index")) else admin.site
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {**site.each_context(request), "title": "Sign-in locked", "minutes": minutes,
               "login_url": reverse(f"{site.name}:login")}
    response = render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
