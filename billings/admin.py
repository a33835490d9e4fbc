"""The admin site: staff sign in through the site's own sign-in, never a second door.

Django's admin has its own login form, which calls ``authenticate()`` directly and so skips
allauth's rate limits, its lockout after failed attempts and two-factor authentication. Here
``/admin/login/`` only sends the visitor to the site's sign-in, with ``next=`` pointing back
into the admin; the admin still checks ``is_staff`` on every page it serves.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


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
