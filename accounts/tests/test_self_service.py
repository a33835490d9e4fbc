"""The learner runs their own account: the account menu, two-factor authentication, sessions,
downloading their data and deleting the account."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from accounts.tests.factories import PASSWORD, UserFactory
from exams.models import Attempt, Bookmark
from gamification.models import XPEntry
from tests import endpoints

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=PASSWORD):
    """Through the sign-in form, as a person does (allauth records how, for reauthentication)."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.status_code
    return client


# The account menu ---------------------------------------------------------------------------


def test_the_profile_links_to_the_account_menu_and_the_menu_to_every_setting(user_client):
    profile = user_client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("accounts:account")}"' in profile
    page = user_client.get(reverse("accounts:account"))
    assert page.status_code == 200
    html = page.content.decode()
    for name in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "usersessions_list",
        "accounts:data_download",
        "accounts:delete",
    ):
        assert f'href="{reverse(name)}"' in html, name


@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "mfa_index", "usersessions_list"]
)
def test_allauth_pages_carry_the_account_menu(user_client, name):
    html = user_client.get(reverse(name)).content.decode()
    assert 'aria-label="Account settings"' in html
    assert 'class="site-header"' in html


# Two-factor authentication ------------------------------------------------------------------


def current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # now, the middle of the accepted window
    return format_hotp_value(hotp_value(secret, counter))


def test_learner_activates_an_authenticator_app_and_then_needs_its_code(client):
    user = UserFactory(verified=True)
    sign_in(client, user)
    url = reverse("mfa_activate_totp")
    # Turning on two-factor asks for the password again first.
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert b"Billings" in page.content or secret  # the QR code names the issuer
    response = client.post(url, {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    # Signing in now stops at the second step until the code is given.
    other = Client()
    response = other.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in other.session
    response = other.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert SESSION_KEY not in other.session
    response = other.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert other.session[SESSION_KEY] == str(user.pk)


# Sessions -----------------------------------------------------------------------------------


def test_learner_sees_their_sessions_and_signs_out_the_others(client):
    user = UserFactory(verified=True)
    laptop, phone = sign_in(Client(), user), sign_in(client, user)
    page = phone.get(reverse("usersessions_list"))
    assert page.content.decode().count('<th scope="row">') == 2
    assert b"This device" in page.content
    response = phone.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert UserSession.objects.filter(user=user).count() == 1
    assert phone.get(reverse("accounts:profile")).status_code == 200
    assert laptop.get(reverse("accounts:profile")).status_code == 302  # signed out


# Download my data ---------------------------------------------------------------------------


def test_download_holds_profile_attempts_answers_bookmarks_xp_and_badges(
    django_assert_max_num_queries,
):
    learner = UserFactory()
    world = endpoints.World.build(owner=learner)
    client = Client()
    client.force_login(learner)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="billings-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    learner.profile.refresh_from_db()
    assert data["account"]["email"] == learner.email
    assert data["profile"]["xp_total"] == learner.profile.xp_total > 0
    by_status = {(row["mode"], row["status"]): row for row in data["attempts"]}
    submitted = by_status[("practice", "submitted")]
    first = submitted["answers"][0]
    item = world.item(world.submitted, 1)
    chosen = item.question.choices.get(pk=item.selected[0])
    assert first["selected"] == [chosen.letter]
    assert first["correct"] is item.is_correct
    # An open simulation tells nothing about whether its answers are right.
    simulation = by_status[("simulation", "in_progress")]
    assert simulation["answers"][0]["selected"]
    assert {answer["correct"] for answer in simulation["answers"]} == {None}
    assert simulation["correct_count"] is None
    assert [b["question"] for b in data["bookmarks"]] == [world.exam.questions.first().external_id]
    assert sum(row["amount"] for row in data["xp_ledger"]) == learner.profile.xp_total
    assert {"badges", "daily_activity"} <= set(data)
    assert "EXPLAIN-" not in response.content.decode()


def test_download_of_a_learner_without_history_has_the_same_budget(
    user_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        data = json.loads(user_client.get(reverse("accounts:data_download")).content)
    assert data["attempts"] == [] and data["bookmarks"] == []


# Delete my account --------------------------------------------------------------------------


def test_deleting_needs_the_password_and_removes_the_learner_and_their_data(
    client, settings, tmp_path
):
    learner, other = UserFactory(), UserFactory()
    settings.MEDIA_ROOT = tmp_path
    mine, theirs = endpoints.World.build(owner=learner), endpoints.World.build(owner=other)
    learner.profile.leaderboard_opt_in = True
    learner.profile.avatar_upload = "avatars/mine.png"
    learner.profile.save()
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "mine.png").write_bytes(b"png")
    before_other = theirs.snapshot()
    client.force_login(learner)

    page = client.get(reverse("accounts:delete"))
    assert b"What stays" in page.content
    response = client.post(reverse("accounts:delete"), {"password": "not-my-password"})
    assert response.status_code == 422
    assert b"That is not your password." in response.content
    assert User.objects.filter(pk=learner.pk).exists()

    with django_capture_on_commit():
        response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not Profile.objects.filter(user_id=learner.pk).exists()
    assert not Attempt.objects.filter(user_id=learner.pk).exists()
    assert not Bookmark.objects.filter(user_id=learner.pk).exists()
    assert not XPEntry.objects.filter(user_id=learner.pk).exists()
    assert not (tmp_path / "avatars" / "mine.png").exists()
    assert SESSION_KEY not in client.session
    assert theirs.snapshot() == before_other
    assert mine.owner.pk == learner.pk

    viewer = Client()
    viewer.force_login(other)
    board = viewer.get(reverse("gamification:leaderboard")).content.decode()
    assert learner.email.split("@")[0] not in board


def django_capture_on_commit():
    """Run on_commit callbacks of the request (the test's transaction never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
