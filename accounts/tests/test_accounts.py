import pytest
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Profile, User
from accounts.tests.factories import PASSWORD, UserFactory, signup

pytestmark = pytest.mark.django_db


def test_new_user_gets_profile():
    user = User.objects.create_user("Someone@Example.COM", "pw-123456789")
    assert user.email == "someone@example.com"
    assert Profile.objects.filter(user=user).exists()


def test_email_is_unique_whatever_the_case():
    User.objects.create_user("a@example.com", "x")
    with pytest.raises(IntegrityError):
        User.objects.create_user("A@EXAMPLE.com", "x")


def test_signup_creates_user_profile_and_time_zone(client):
    response = signup(client, "New@Example.com", display_name="Nia", time_zone="Pacific/Auckland")
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.profile.display_name == "Nia"
    assert user.profile.time_zone == "Pacific/Auckland"


def test_signup_rejects_unknown_time_zone(client):
    response = signup(client, "tz@example.com", time_zone="Mars/Olympus")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["time_zone"]
    assert not User.objects.filter(email="tz@example.com").exists()


@pytest.mark.parametrize("typed", ["learner@example.com", "LEARNER@Example.Com"])
def test_login_by_email_in_any_case(client, typed):
    UserFactory(email="learner@example.com", verified=True)
    response = client.post(reverse("account_login"), {"login": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_profile_edit_plain_form_redirects(user_client, user):
    response = user_client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Ada", "time_zone": "Europe/Paris", "daily_goal": 30, "extra_time": 150},
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert (user.profile.display_name, user.profile.time_zone) == ("Ada", "Europe/Paris")
    assert user.profile.extra_time == 150


def test_profile_edit_saves_every_field_the_form_offers(user_client, user):
    response = user_client.post(
        reverse("accounts:profile_edit"),
        {"time_zone": "UTC", "daily_goal": 20, "extra_time": 100, "email_report_replies": "on"},
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.email_report_replies is True


def test_profile_edit_htmx_returns_fragment(user_client, user, htmx_headers):
    response = user_client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Grace", "time_zone": "UTC", "daily_goal": 10, "extra_time": 100},
        **htmx_headers,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="profile-details"' in html
    assert "<html" not in html
    assert "Grace" in html


def test_profile_edit_invalid_time_zone_changes_nothing(user_client, user, htmx_headers):
    response = user_client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "X", "time_zone": "Nowhere/City", "daily_goal": 10, "extra_time": 100},
        **htmx_headers,
    )
    assert response.status_code == 422
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"
    assert user.profile.display_name == ""


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
