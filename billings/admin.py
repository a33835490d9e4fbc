"""The admin site: staff sign in through the site's own sign-in, and junk ids get a 400.

Django's admin has its own login form, which calls ``authenticate()`` directly and so skips
allauth's rate limits, its lockout after failed attempts and two-factor authentication. Here
``/admin/login/`` only sends the visitor to the site's sign-in, with ``next=`` pointing back
into the admin; the admin still checks ``is_staff`` on every page it serves.

Django filters a bulk action's ``pk__in`` with the raw posted values and fails with a 500 on
"abc"; every admin view here refuses such a request with a 400 first.
"""

import re
from functools import wraps

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# A primary key as the admin sends it: ASCII digits that fit a 64-bit integer column.
ID = re.compile(r"[0-9]{1,18}")


def admin_id(value) -> int | None:
    """``value`` as a row id, or None when it cannot be one (a word, "²", 10**30)."""
    if isinstance(value, str) and ID.fullmatch(value):
        return int(value)
    return None


class BillingsAdminSite(admin.AdminSite):
    site_header = "Billings administration"
    site_title = "Billings admin"
    index_title = "Content and learners"

    def login(self, request, extra_context=None):
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get("next", "")
        if not target.startswith(index) or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(target)
            # Signed in, but not staff: sending them to sign in again would only loop back.
            return render(request, "errors/403.html", {"staff_only": True}, status=403)
        return redirect_to_login(target, reverse("account_login"))

    def admin_view(self, view, cacheable=False):
        """Every admin view: a bulk action naming a row that cannot exist is a 400."""

        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.method == "POST" and any(
                admin_id(value) is None for value in request.POST.getlist(ACTION_CHECKBOX_NAME)
            ):
                return HttpResponseBadRequest("A selected row id is not a number.")
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)
