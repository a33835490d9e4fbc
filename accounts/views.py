import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from accounts.forms import AVATAR_MAX_BYTES, DeleteAccountForm, ProfileForm
from accounts.middleware import time_zone_remember
from accounts.selectors import account_data
from accounts.services import account_delete, profile_update

# The profile form's body: a picture of at most 1 MB plus the text fields and multipart framing.
PROFILE_BODY_MAX_BYTES = AVATAR_MAX_BYTES + 64 * 1024


@require_safe
@login_required
@vary_on_headers("HX-Request")
def profile(request):
    template = "accounts/profile.html#details" if request.htmx else "accounts/profile.html"
    return render(request, template, {"profile": request.user.profile})


def _body_too_large(request) -> HttpResponse | None:
    """413 before the body is read when it says it is larger than the form can accept."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= PROFILE_BODY_MAX_BYTES:
        return None
    text = "The picture is too large: upload one of at most 1 MB."
    if request.htmx:
        response = HttpResponse(text, status=413, content_type="text/plain")
        return trigger_client_event(response, "toast", {"value": [text]})
    return render(request, "accounts/too_large.html", {"text": text}, status=413)


# CSRF is checked inside, after the size: the CSRF check reads the whole body (the token is a
# form field), and a 20 MB upload must be refused without reading it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def profile_edit(request):
    """Edit the profile: a plain page, or an inline form swapped in by htmx."""
    if request.method == "POST" and (refused := _body_too_large(request)):
        return refused
    return _profile_edit(request)


@csrf_protect
def _profile_edit(request):
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
    # base.html tells htmx to swap a 422 in: the form with its errors replaces the form.
    status = 422 if form.is_bound and request.htmx else 200
    return render(request, template, {"form": form, "profile": profile}, status=status)


@require_safe
@login_required
def account(request):
    """The account menu: addresses, password, two-factor, sessions, your data."""
    return render(request, "accounts/account.html")


@require_safe
@login_required
def data_download(request):
    """Everything Billings keeps about the learner, as a JSON file."""
    body = json.dumps(account_data(user=request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="billings-data-{day}.json"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def account_delete_page(request):
    """Delete the account after the learner types their password again."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account and everything in it were deleted.")
        return redirect("home")
    status = 422 if form.is_bound else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
