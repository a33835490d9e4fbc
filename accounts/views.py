from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.forms import ProfileForm
from accounts.middleware import time_zone_remember
from accounts.services import profile_update


@require_safe
@login_required
@vary_on_headers("HX-Request")
def profile(request):
    template = "accounts/profile.html#details" if request.htmx else "accounts/profile.html"
    return render(request, template, {"profile": request.user.profile})


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def profile_edit(request):
    """Edit the profile: a plain page, or an inline form swapped in by htmx."""
    profile = request.user.profile
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            profile_update(
                profile=profile,
                data={name: form.cleaned_data[name] for name in form.changed_data},
            )
            # Dates on this response and the next ones follow the zone just saved.
            time_zone_remember(request, name=profile.time_zone)
            if request.htmx:
                return render(
                    request,
                    "accounts/profile.html#details",
                    {"profile": profile, "saved": True},
                )
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
        profile.refresh_from_db()
    else:
        form = ProfileForm(instance=profile)
    template = "accounts/profile_edit.html#form" if request.htmx else "accounts/profile_edit.html"
    status = 422 if form.is_bound and request.htmx else 200
    return render(request, template, {"form": form, "profile": profile}, status=status)
