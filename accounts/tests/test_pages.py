"""allauth pages render inside the site's layout, with a label for every input."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import signup

pytestmark = pytest.mark.django_db

SKIPPED_INPUT_TYPES = {"hidden", "submit", "button"}


class FormAudit(HTMLParser):
    """Collects inputs and the ids that labels point to (or inputs wrapped in a label)."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labelled, self.ids, self.open_labels = [], set(), set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in {"input", "select", "textarea"}:
            if attrs.get("type") in SKIPPED_INPUT_TYPES:
                return
            self.inputs.append(attrs)
            if self.open_labels:
                self.labelled.add(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1


def audit(response):
    parser = FormAudit()
    parser.feed(response.content.decode())
    return parser


def assert_site_page_with_labels(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'id="main"' in html
    assert "<form" in html
    page = audit(response)
    unlabelled = [i.get("name") for i in page.inputs if i.get("id") not in page.labelled]
    assert unlabelled == []
    for field in page.inputs:
        for described_by in field.get("aria-describedby", "").split():
            assert described_by in page.ids, f"{field.get('name')} -> missing #{described_by}"


@pytest.mark.parametrize(
    "url_name",
    ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"],
)
def test_entrance_pages_use_the_site_layout(client, url_name):
    response = client.get(reverse(url_name))
    if url_name == "account_reset_password_done":
        assert response.status_code == 200
        assert b'class="site-header"' in response.content
        return
    assert_site_page_with_labels(response)


@pytest.mark.parametrize("url_name", ["account_logout", "account_change_password", "account_email"])
def test_account_pages_use_the_site_layout(user_client, url_name):
    response = user_client.get(reverse(url_name))
    assert_site_page_with_labels(response)
    assert b'aria-label="Account settings"' in response.content


def test_verification_sent_page_uses_the_site_layout(client):
    response = client.get(reverse("account_email_verification_sent"))
    assert response.status_code == 200
    assert b'class="site-header"' in response.content


def test_reset_from_key_page_uses_the_site_layout(client, user):
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/key/" in w)
    form_page = client.get(client.get(link)["Location"])
    assert_site_page_with_labels(form_page)
    bad_key = client.get("/accounts/password/reset/key/1-bad-key/", follow=True)
    assert bad_key.status_code == 200
    assert b'class="site-header"' in bad_key.content


def test_pages_use_site_wording(client, user):
    assert b"Sign in</button>" in client.get(reverse("account_login")).content
    assert b"Sign up</button>" in client.get(reverse("account_signup")).content
    client.force_login(user)
    assert b"Sign out</button>" in client.get(reverse("account_logout")).content


def test_signup_time_zone_defaults_to_utc_and_is_marked_for_detection(client):
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert '<label for="id_time_zone">Time zone</label>' in html
    assert 'data-detect="time-zone"' in html
    assert '<option value="UTC" selected>' in html
    assert '<option value="Pacific/Auckland">' in html


def test_signup_errors_are_tied_to_their_fields(client):
    response = signup(client, "not-an-email", time_zone="Europe/Paris", password2="different")
    assert_site_page_with_labels(response)
    html = response.content.decode()
    page = audit(response)
    for name in ("email", "password2"):
        field = next(i for i in page.inputs if i.get("name") == name)
        assert field.get("aria-invalid") == "true"
        assert f"id_{name}_error" in field.get("aria-describedby", "").split()
        assert html.count(f'id="id_{name}_error"') == 1
    # Shown again with errors, the submitted zone stays and is not re-detected.
    assert '<option value="Europe/Paris" selected>' in html
    assert 'data-detect="time-zone"' not in html


def test_login_errors_are_announced(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_every_page_of_a_learners_data_is_private_and_not_stored(client, user):
    from tests import endpoints

    pages = {
        "home (dashboard)": reverse("home"),
        "profile": reverse("accounts:profile"),
        "profile edit": reverse("accounts:profile_edit"),
        "account": reverse("accounts:account"),
        **endpoints.learner_page_urls(user),
    }
    client.force_login(user)
    for where, url in pages.items():
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code == 200, (where, response.status_code)
            control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= control, (where, headers, control)


def test_anonymous_pages_are_not_marked_private(client):
    assert not client.get(reverse("exams:catalogue")).has_header("Cache-Control")


def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


TITLE_CASE = [
    "Sign In",
    "Sign Out",
    "Log in",
    "Log out",
    "Change Password",
    "Email Addresses",
    "Add Email",
    "Two-Factor Authentication",
    "Current Password",
    "Forgot Password",
    "Password Reset",
]


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_logout",
        "account_change_password",
        "account_email",
        "mfa_index",
        "usersessions_list",
        "accounts:account",
    ],
)
def test_pages_speak_in_sentence_case_and_say_sign_in_and_sign_out(client, user, name):
    anonymous = name in ("account_login", "account_signup", "account_reset_password")
    if not anonymous:
        client.force_login(user)
    html = client.get(reverse(name)).content.decode()
    visible = re.sub(r"<[^>]+>", " ", html)
    for words in TITLE_CASE:
        assert words not in visible, (name, words)
    if anonymous:
        assert "Sign in" in visible
    else:
        assert "Sign out" in visible
