"""Dates and times show in the signed-in learner's own time zone, at no extra query a page."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_KEY
from accounts.models import Profile
from accounts.tests.factories import PASSWORD, UserFactory, signup_and_confirm
from exams.models import Attempt
from exams.tests.factories import AttemptFactory

pytestmark = pytest.mark.django_db

HISTORY = reverse("exams:history")
STARTED = datetime(2026, 11, 23, 12, 38, tzinfo=UTC)
IN_UTC = "23 Nov 2026, 12:38"
IN_AUCKLAND = "24 Nov 2026, 01:38"  # UTC+13 in the southern summer
IN_LOS_ANGELES = "23 Nov 2026, 04:38"  # UTC-8
PROFILE_FORM = {"display_name": "Ada", "daily_goal": 20, "extra_time": 100}


def learner(time_zone="Pacific/Auckland"):
    user = UserFactory(verified=True)
    user.profile.time_zone = time_zone
    user.profile.save(update_fields=["time_zone"])
    AttemptFactory(user=user, started_at=STARTED, status=Attempt.Status.ABANDONED)
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def history(client):
    response = client.get(HISTORY)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def zones_at_render():
    """The name of the zone active each time a template renders, in order."""
    seen = []

    def record(sender, **kwargs):
        seen.append(timezone.get_current_timezone_name())

    template_rendered.connect(record, dispatch_uid="test_zones_at_render")
    yield seen
    template_rendered.disconnect(dispatch_uid="test_zones_at_render")


def profile_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "accounts_profile" in q["sql"]]


def session_writes(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_history_shows_attempt_times_in_the_learners_zone(client):
    page = history(signed_in(client, learner("Pacific/Auckland")))
    assert IN_AUCKLAND in page
    assert IN_UTC not in page


def test_a_zone_west_of_utc_moves_the_time_back(client):
    page = history(signed_in(client, learner("America/Los_Angeles")))
    assert IN_LOS_ANGELES in page


def test_the_zone_stored_at_sign_in_through_the_login_form(client):
    user = learner("Pacific/Auckland")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = history(client)
    assert IN_AUCKLAND in page
    assert profile_queries(queries) == []  # the sign-in already put the zone in the session


def test_the_zone_chosen_at_signup_applies_from_the_first_page(client, zones_at_render):
    response = signup_and_confirm(client, email="kiwi@example.com", time_zone="Pacific/Auckland")
    assert response.status_code == 302
    zones_at_render.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(response["Location"]).status_code == 200
    assert set(zones_at_render) == {"Pacific/Auckland"}
    assert session_writes(queries) == []  # the zone arrived with the sign-in's session


def test_a_new_zone_saved_on_the_profile_shows_on_the_next_page(client):
    user = learner("UTC")
    signed_in(client, user)
    assert IN_UTC in history(client)

    response = client.post(
        reverse("accounts:profile_edit"), {**PROFILE_FORM, "time_zone": "Pacific/Auckland"}
    )
    assert response.status_code == 302
    page = history(client)
    assert IN_AUCKLAND in page
    assert IN_UTC not in page


def test_a_new_zone_saved_inline_applies_to_the_fragment_it_returns(
    client, htmx_headers, zones_at_render
):
    signed_in(client, learner("UTC"))
    response = client.post(
        reverse("accounts:profile_edit"),
        {**PROFILE_FORM, "time_zone": "America/Los_Angeles"},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert zones_at_render and set(zones_at_render) == {"America/Los_Angeles"}
    assert IN_LOS_ANGELES in history(client)


def test_a_refused_profile_form_keeps_the_zone_in_use(client):
    signed_in(client, learner("Pacific/Auckland"))
    response = client.post(
        reverse("accounts:profile_edit"), {**PROFILE_FORM, "time_zone": "Nowhere/City"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert IN_AUCKLAND in history(client)


@pytest.mark.parametrize("stored", ["Mars/Olympus", "", "../../etc/passwd", "UTC\x00", 42])
def test_a_bad_zone_in_the_session_falls_back_to_utc_until_the_profile_is_saved(client, stored):
    signed_in(client, learner("Pacific/Auckland"))
    session = client.session
    session[SESSION_KEY] = stored
    session.save()
    page = history(client)
    assert IN_UTC in page
    assert IN_AUCKLAND not in page

    # Saving the profile, even with the zone unchanged, puts its zone back in the session.
    response = client.post(
        reverse("accounts:profile_edit"), {**PROFILE_FORM, "time_zone": "Pacific/Auckland"}
    )
    assert response.status_code == 302
    assert IN_AUCKLAND in history(client)


def test_a_learner_without_a_profile_sees_the_site_zone(client, settings):
    user = learner("Pacific/Auckland")
    Profile.objects.filter(user=user).delete()
    signed_in(client, user)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert IN_UTC in history(client)
    assert client.session[SESSION_KEY] == settings.TIME_ZONE


@pytest.mark.parametrize("site_zone", ["UTC", "Europe/Paris"])
def test_anonymous_pages_render_in_the_site_zone_also_after_a_learner_signs_out(
    client, settings, zones_at_render, site_zone
):
    settings.TIME_ZONE = site_zone
    assert client.get(reverse("home")).status_code == 200
    assert set(zones_at_render) == {site_zone}

    signed_in(client, learner("Pacific/Auckland"))
    zones_at_render.clear()
    assert IN_AUCKLAND in history(client)
    assert set(zones_at_render) == {"Pacific/Auckland"}
    # The zone lasts for the request only: nothing leaks into the thread afterwards.
    assert timezone.get_current_timezone_name() == site_zone

    assert client.post(reverse("account_logout")).status_code == 302
    zones_at_render.clear()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    assert set(zones_at_render) == {site_zone}


def test_a_session_without_the_zone_reads_the_profile_once(client):
    signed_in(client, learner("Pacific/Auckland"))
    session = client.session
    del session[SESSION_KEY]  # as a session opened before zones were kept
    session.save()

    with CaptureQueriesContext(connection) as first:
        assert IN_AUCKLAND in history(client)
    assert len(profile_queries(first)) == 1
    assert session_writes(first)  # the zone is now kept in the session

    with CaptureQueriesContext(connection) as second:
        assert IN_AUCKLAND in history(client)
    assert profile_queries(second) == []
    assert session_writes(second) == []


def test_the_learners_zone_costs_no_query_on_a_page(client, settings):
    """A page in the learner's zone makes exactly the queries it made in plain UTC."""
    user = learner("Pacific/Auckland")
    signed_in(client, user)
    history(client)
    with CaptureQueriesContext(connection) as with_zone:
        assert IN_AUCKLAND in history(client)

    without_middleware = [
        m for m in settings.MIDDLEWARE if m != "accounts.middleware.TimeZoneMiddleware"
    ]
    with override_settings(MIDDLEWARE=without_middleware):
        plain = Client()
        plain.force_login(user)
        history(plain)
        with CaptureQueriesContext(connection) as in_utc:
            assert IN_UTC in history(plain)

    assert len(with_zone) == len(in_utc)
