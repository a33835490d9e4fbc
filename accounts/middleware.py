"""Show every date and time in the signed-in learner's own time zone.

The zone's name is kept in the session, which authentication loads on every request anyway, so
rendering in the learner's zone costs no query: the name is stored when the learner signs in
(the sign-in writes the session in any case), and a session that lacks it (one opened before
this existed) reads the profile once. Anonymous visitors see ``settings.TIME_ZONE``.
"""

import zoneinfo

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.cache import patch_cache_control

SESSION_KEY = "accounts_time_zone"


def zone_from_name(name) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None when it is not a zone this server knows."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def time_zone_activate(name) -> None:
    """Render this thread's dates in zone ``name``; an unknown zone means settings.TIME_ZONE."""
    zone = zone_from_name(name)
    if zone is None:
        timezone.deactivate()
    else:
        timezone.activate(zone)


def time_zone_store(*, session, name: str) -> None:
    """Keep ``name`` in the session; the session is written only when the name changes."""
    if session.get(SESSION_KEY) != name:
        session[SESSION_KEY] = name


def time_zone_of(user) -> str:
    """The zone the learner chose on their profile (settings.TIME_ZONE without a profile)."""
    try:
        return user.profile.time_zone
    except ObjectDoesNotExist:
        return timezone.get_default_timezone_name()


def time_zone_remember(request, *, name: str) -> None:
    """Use zone ``name`` for the rest of this request and the learner's next ones.

    Called after the learner saves a new zone, so the change shows at once, in this very
    response and without waiting for a new session.
    """
    time_zone_store(session=request.session, name=name)
    time_zone_activate(name)


def user_logged_in_receiver(sender, request=None, user=None, **kwargs):
    """Store the learner's zone in the session they just signed in with.

    Only stores: the sign-in's own request may be a test client's stand-in that no middleware
    will clean up after, so nothing is activated here.
    """
    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    time_zone_store(session=session, name=time_zone_of(user))


def signed_in_session(request) -> bool:
    """Whether the request carries a signed-in session, known without loading the user.

    A request without a session cookie does not even touch the session (which would add
    "Vary: Cookie" to its response).
    """
    session = request.session
    return session.session_key is not None and AUTH_SESSION_KEY in session


def time_zone_name_for(request) -> str | None:
    """The signed-in learner's zone name, from the session; None for anonymous visitors."""
    session = request.session
    if not signed_in_session(request):
        return None
    name = session.get(SESSION_KEY)
    if name is not None:
        return name
    user = request.user
    if not user.is_authenticated:
        return None
    # The reverse accessor caches the profile on request.user, so a view that needs the
    # profile later in this request reads it without another query.
    name = time_zone_of(user)
    time_zone_store(session=session, name=name)
    return name


class TimeZoneMiddleware:
    """Activates the learner's time zone for the whole request, and deactivates it after.

    An unknown or missing zone falls back to ``settings.TIME_ZONE``; it never fails a page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        time_zone_activate(time_zone_name_for(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PrivatePagesMiddleware:
    """Every response to a signed-in learner says ``Cache-Control: private, no-store``.

    Such pages show the learner's own data (their name in the header at the very least): no
    shared cache may keep them, and the browser must not show them from its cache after the
    learner signs out. A view that sets its own Cache-Control (the quiz's ``never_cache``, an
    avatar picture) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and signed_in_session(request):
            patch_cache_control(response, private=True, no_store=True)
        return response
