"""allauth flows through the public URLs: logout, password reset and change, email
confirmation, rate limits, enumeration prevention, redirects and session rotation."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, signup

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def link_in(message):
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def test_logout_ends_the_session(user_client):
    assert SESSION_KEY in user_client.session
    response = user_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in user_client.session


def test_password_reset_mail_link_sets_a_new_password(client):
    user = UserFactory(email="reset@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "Reset@Example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reset@example.com"]

    response = client.get(link_in(mail.outbox[0]))
    # allauth moves the key out of the URL into the session, then shows the form.
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert login(client, "reset@example.com", NEW_PASSWORD).status_code == 302


def test_password_reset_link_works_only_once(client):
    UserFactory(email="once@example.com")
    client.post(reverse("account_reset_password"), {"email": "once@example.com"})
    link = link_in(mail.outbox[0])
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.get(link, follow=True)
    assert b"Bad Token" in response.content or b"invalid" in response.content.lower()


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # Each address gets a mail; only the owner of the account gets a reset link.
    assert [m.to for m in mail.outbox] == [["known@example.com"], ["nobody@example.com"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_signup_with_a_taken_email_does_not_reveal_it(client):
    """The default configuration, not only production: same answer, a mail to the owner."""
    UserFactory(email="taken@example.com")
    taken = signup(client, "Taken@example.com")
    fresh = signup(client, "fresh@example.com")
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert [m.to for m in mail.outbox] == [["taken@example.com"], ["fresh@example.com"]]
    assert "already" in mail.outbox[0].subject.lower() + mail.outbox[0].body.lower()


def test_password_change_keeps_the_learner_logged_in(user_client, user):
    response = user_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user_client.session[SESSION_KEY] == str(user.pk)


def test_password_change_needs_the_current_password(user_client, user):
    response = user_client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_signup_waits_for_the_confirmation_link_which_signs_in(client):
    response = signup(client)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert b"Verify your email address" in page.content
    address = User.objects.get(email="fresh@example.com").emailaddress_set.get()
    assert not address.verified
    assert login(client, "fresh@example.com").status_code == 302
    assert SESSION_KEY not in client.session  # an unverified address signs nobody in

    confirm_url = link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    assert client.post(confirm_url).status_code == 302
    address.refresh_from_db()
    assert address.verified
    assert SESSION_KEY in client.session


def test_failed_logins_for_one_email_are_limited(client):
    UserFactory(email="target@example.com")
    for _ in range(5):
        assert login(client, "target@example.com", "wrong").status_code == 200
    response = login(client, "TARGET@example.com")
    assert response.status_code == 200
    assert b"Too many failed sign-in attempts" in response.content
    assert SESSION_KEY not in client.session


def test_many_logins_from_one_address_get_the_site_429_page(client):
    limit = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    for n in range(limit):
        assert login(client, f"guess{n}@example.com", "wrong").status_code == 200
    response = login(client, "guess@example.com", "wrong")
    assert response.status_code == 429
    assert b"Slow down a little" in response.content
    assert b'class="site-header"' in response.content


def test_password_reset_requests_for_one_email_are_limited(client):
    UserFactory(email="flood@example.com")
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": "flood@example.com"})
    response = client.post(reverse("account_reset_password"), {"email": "flood@example.com"})
    assert response.status_code == 429
    assert b"Slow down a little" in response.content
    assert len(mail.outbox) == 5


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/steal", "https:evil.example"]
)
def test_login_ignores_an_external_next(client, next_url):
    UserFactory(email="safe@example.com", verified=True)
    response = login(client, "safe@example.com", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_follows_a_local_next(client):
    UserFactory(email="local@example.com", verified=True)
    response = login(client, "local@example.com", next=reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:profile")


def test_login_rotates_the_session_key(client):
    UserFactory(email="rotate@example.com", verified=True)
    before = client.session
    before["probe"] = "anonymous"
    before.save()
    old_key = before.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == old_key

    assert login(client, "rotate@example.com").status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not before.exists(old_key)


# Email addresses ----------------------------------------------------------------------------


def add_email(client, email):
    return client.post(reverse("account_email"), {"action_add": "", "email": email})


def test_an_added_unverified_address_does_not_sign_in(client):
    """Adding someone's address must not let the learner sign in with it."""
    learner = UserFactory(email="learner@example.com", verified=True)
    client.force_login(learner)
    assert add_email(client, "stranger@example.com").status_code == 302
    assert learner.emailaddress_set.filter(email="stranger@example.com", verified=False).exists()
    client.logout()
    response = login(client, "stranger@example.com")
    assert SESSION_KEY not in client.session
    assert response.status_code == 200
    # Verified, the same address does sign in.
    learner.emailaddress_set.filter(email="stranger@example.com").update(verified=True)
    assert login(client, "stranger@example.com").status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)


@pytest.mark.parametrize("verified", [True, False], ids=["owner verified", "owner unverified"])
def test_an_address_of_another_account_cannot_be_added(client, verified):
    UserFactory(email="owner@example.com", verified=verified)
    learner = UserFactory(email="learner@example.com")
    client.force_login(learner)
    response = add_email(client, "Owner@Example.com")
    assert response.status_code == 200
    assert b"belongs to another account" in response.content
    assert not learner.emailaddress_set.filter(email__iexact="owner@example.com").exists()
    client.logout()
    login(client, "owner@example.com")  # factory users share one password
    assert client.session.get(SESSION_KEY) != str(learner.pk)


# Passwords and account emails ---------------------------------------------------------------


@pytest.mark.parametrize("length", [11, 12])
def test_passwords_need_twelve_characters(client, length):
    password = "kx7!qz" * 2
    password = (password * 2)[:length]
    signup_data = {"email": "len@example.com", "password1": password, "password2": password}
    response = client.post(reverse("account_signup"), {**signup_data, "time_zone": "UTC"})
    created = User.objects.filter(email="len@example.com").exists()
    assert created is (length >= 12), response.status_code
    if length < 12:
        assert b"at least 12 characters" in response.content


def test_a_password_change_is_mailed_to_the_learner(user_client, user):
    user_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert [m.to for m in mail.outbox] == [[user.email]]
    message = mail.outbox[0]
    assert "password" in message.subject.lower() and "changed" in message.subject.lower()


def test_account_emails_name_billings_not_the_host(client):
    signup(client)
    message = mail.outbox[0]
    assert message.subject.startswith("[Billings] ")
    assert "Hello from Billings!" in message.body
    assert "Hello from testserver" not in message.body
