"""Security, proven: each test fails if the protection it names is removed.

Ownership of a learner's data, CSRF, escaping of stored text, redirects, rate limits, password
rules, session rotation, no leaked answers during a simulation, headers and CSP.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, signup
from exams.tests.factories import bank_build
from tests import endpoints
from tests.conftest import XSS, XSS_IMG, XSS_SCRIPT, attempt_start

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
HX = {"HTTP_HX_REQUEST": "true"}


# Ownership ---------------------------------------------------------------------------------


def test_every_learner_url_is_classified():
    """A new URL in the learner apps must be added to the ownership matrix (tests/endpoints.py).

    URLs taking an id must be in the matrix (a second learner gets 404); id-less ones must be
    classified as showing only the requester's own data or as public.
    """
    unclassified, id_urls_outside_matrix = [], []
    for route in endpoints.learner_routes():
        if route.takes_id and route.name not in {*endpoints.OWNED, *endpoints.SHARED_IDS}:
            id_urls_outside_matrix.append(route.name)
        elif route.name not in endpoints.CLASSIFIED:
            unclassified.append(route.name)
    assert not id_urls_outside_matrix, (
        f"URLs taking an id, missing from tests/endpoints.py OWNED: {id_urls_outside_matrix}"
    )
    assert not unclassified, f"URLs not classified in tests/endpoints.py: {unclassified}"


def test_matrix_names_are_real_urls():
    """A renamed URL must not leave the matrix testing nothing."""
    names = {route.name for route in endpoints.learner_routes()}
    stale = sorted(set(endpoints.CLASSIFIED) - names)
    assert not stale, f"tests/endpoints.py lists URLs that no longer exist: {stale}"


@pytest.mark.parametrize("case", endpoints.owned_cases(), ids=str)
def test_second_learner_gets_404_and_nothing_changes(case, user, other, client):
    world = endpoints.World.build(owner=user)
    client.force_login(other)
    before = world.snapshot()
    url = case.url(world)
    for method in case.methods:
        for headers in ({}, HX):
            data = case.data(world) if method == "post" else None
            response = getattr(client, method)(url, data, **headers)
            assert response.status_code == 404, (method, url, headers, response.status_code)
    assert world.snapshot() == before


@pytest.mark.parametrize("case", endpoints.owned_cases(), ids=str)
def test_owner_is_served(case, user, client):
    """The same requests from the owner succeed: the 404s above are about ownership."""
    world = endpoints.World.build(owner=user)
    client.force_login(user)
    url = case.url(world)
    method = case.methods[0]
    data = case.data(world) if method == "post" else None
    response = getattr(client, method)(url, data)
    assert response.status_code < 400, (method, url, response.status_code)


@pytest.mark.parametrize("case", endpoints.login_required_cases(), ids=str)
def test_anonymous_visitor_is_sent_to_log_in(case, user, client):
    world = endpoints.World.build(owner=user)
    before = world.snapshot()
    url = case.url(world)
    login = reverse("account_login")
    for method in case.methods:
        data = case.data(world) if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response["Location"].startswith(login), response["Location"]
        # With htmx the same request must not render the page either.
        response = getattr(client, method)(url, data, **HX)
        assert response.status_code in (302, 401, 403), (method, url, response.status_code)
    assert world.snapshot() == before


# CSRF --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", endpoints.post_cases(), ids=str)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_csrf_enforced_on_every_post(case, htmx, user):
    world = endpoints.World.build(owner=user)
    client = Client(enforce_csrf_checks=True)
    if case.login:
        client.force_login(user)
    before = world.snapshot()
    headers = HX if htmx else {}
    response = client.post(case.url(world), case.data(world), **headers)
    assert response.status_code == 403, (case, response.status_code)
    assert world.snapshot() == before


def test_csrf_token_is_accepted_from_the_htmx_header(user):
    """The other side of the test above: the header that base.html gives htmx is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("accounts:profile_edit"))
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Tok", "time_zone": "UTC", "daily_goal": 20, "extra_time": 100},
        HTTP_X_CSRFTOKEN=token,
        **HX,
    )
    assert response.status_code == 200
    user.profile.refresh_from_db()
    assert user.profile.display_name == "Tok"


# Stored XSS --------------------------------------------------------------------------------


def assert_escaped(html: str, where: str):
    assert "<script>alert" not in html, f"raw <script> from stored text in {where}"
    assert "<img src=x onerror" not in html, f"raw onerror= attribute from stored text in {where}"
    # An onerror= inside a quoted attribute value is text (escaped); outside it is a handler.
    unquoted = re.sub(r'"[^"]*"', '""', html)
    assert not re.search(r"<[^>]*\sonerror\s*=", unquoted), f"an onerror= attribute in {where}"


def test_profile_text_is_escaped_on_profile_and_dashboard(user_client, user):
    profile = user.profile
    profile.display_name = XSS[:60]
    profile.bio = f"Bio {XSS}"
    profile.save()
    for name in ("accounts:profile", "accounts:profile_edit", "home"):
        response = user_client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert_escaped(html, name)
    html = user_client.get(reverse("accounts:profile")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    html = user_client.get(reverse("accounts:profile"), **HX).content.decode()
    assert_escaped(html, "profile fragment")


def test_exam_texts_are_escaped_in_quiz_results_and_review(user_client, user):
    exam = bank_build(weights=(60, 40), questions=3, text=XSS)
    pages = endpoints.quiz_pages_for(client=user_client, user=user, exam=exam)
    assert pages, "no quiz pages could be rendered"
    for where, html in pages:
        assert_escaped(html, where)
    assert any(XSS_SCRIPT.replace("<", "&lt;").replace(">", "&gt;") in h for _, h in pages)


def test_leaderboard_escapes_display_names(client, user):
    url = reverse("gamification:leaderboard")
    profile = user.profile
    profile.display_name = XSS[:60]
    profile.leaderboard_opt_in = True
    profile.save()
    endpoints.activity_for(user)
    viewer = UserFactory()
    client.force_login(viewer)
    html = client.get(url).content.decode()
    assert_escaped(html, "leaderboard")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "opted-in learner not listed"


@pytest.mark.parametrize(
    "model",
    [
        "questions.question",  # its change page holds the choices inline
        "questions.exam",
        "questions.questionreport",  # a learner's comment, shown to staff
        "accounts.profile",
        "accounts.user",
    ],
)
def test_admin_changelist_and_change_page_escape_stored_text(client, model):
    from django.apps import apps
    from django.contrib import admin

    model_class = apps.get_model(model)
    assert model_class in admin.site._registry
    exam = bank_build(weights=(60, 40), questions=1, text=XSS)
    owner = UserFactory(email="xss@example.com")
    owner.profile.display_name = XSS[:60]
    owner.profile.bio = XSS
    owner.profile.save()
    from questions.services import report_submit

    objects = {
        "questions.questionreport": report_submit(
            user=owner, question_id=exam.questions.first().pk, reason="other", comment=XSS
        ),
        "questions.question": exam.questions.first(),
        "questions.exam": exam,
        "accounts.profile": owner.profile,
        "accounts.user": owner,
    }
    admin_user = User.objects.create_superuser(email="admin@example.com", password=PASSWORD)
    client.force_login(admin_user)
    label = f"{model_class._meta.app_label}_{model_class._meta.model_name}"
    for url in (
        reverse(f"admin:{label}_changelist"),
        reverse(f"admin:{label}_changelist") + "?q=script",
        reverse(f"admin:{label}_change", args=[objects[model].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)


def test_csp_blocks_inline_script_as_a_second_wall(client):
    csp = client.get(reverse("home"))["Content-Security-Policy"]
    script_src = directive(csp, "script-src")
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert directive(csp, "object-src") == ["'none'"]
    assert "'self'" in directive(csp, "base-uri")


# Redirects, rate limits, passwords, sessions ----------------------------------------------

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example", "https:evil.example"]


def assert_local(location: str):
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location, location


@pytest.mark.parametrize("target", EVIL)
def test_no_open_redirect_on_login(client, user, target):
    login = reverse("account_login")
    response = client.post(f"{login}?next={target}", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert_local(response["Location"])
    client.logout()
    response = client.post(login, {"login": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert_local(response["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_no_open_redirect_on_logout(client, user, target):
    client.force_login(user)
    logout = reverse("account_logout")
    response = client.post(logout, {"next": target})
    assert response.status_code == 302
    assert_local(response["Location"])
    client.force_login(user)
    response = client.post(f"{logout}?next={target}")
    assert response.status_code == 302
    assert_local(response["Location"])


def test_login_next_to_a_local_page_is_followed(client, user):
    """The other side: a local next= still works, so the tests above can fail."""
    target = reverse("accounts:profile")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_logins_are_rate_limited_with_the_site_page(client, user):
    """30 login posts a minute from one address (settings.ACCOUNT_RATE_LIMITS["login"])."""
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": f"x{i}@example.com", "password": "wrong"}).status_code
        for i in range(31)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429, statuses
    response = client.post(url, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "429.html" in [t.name for t in response.templates]
    assert "Slow down a little" in response.content.decode()
    assert response["Content-Security-Policy"]


def test_signups_are_rate_limited_with_the_site_page(client):
    url = reverse("account_signup")
    statuses = []
    for i in range(25):
        client.logout()
        response = client.post(
            url,
            {
                "email": f"new{i}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "time_zone": "UTC",
            },
        )
        statuses.append(response.status_code)
    assert statuses[0] == 302
    assert statuses[-1] == 429, statuses
    assert "Slow down a little" in response.content.decode()
    assert User.objects.count() < 25


@pytest.mark.parametrize("weak", ["password", "12345678", "short", "learner-new@example"])
def test_weak_password_is_refused(client, weak):
    response = signup(client, "learner-new@example.com", password=weak)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password1"]
    assert not User.objects.filter(email="learner-new@example.com").exists()


def test_session_key_rotates_on_login(client, user):
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_session_cookie_is_http_only(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"].lower() == "lax"


# No answers before submission --------------------------------------------------------------


def test_simulation_leaks_no_answer_or_explanation_before_submission(user_client, user):
    exam = bank_build(weights=(60, 40), questions=4)
    attempt = attempt_start(user, exam, "simulation")
    fragments = endpoints.simulation_responses(client=user_client, attempt=attempt)
    assert len(fragments) >= 5, [where for where, _ in fragments]
    correct = {
        item.question_id: item.question.choices.get(is_correct=True)
        for item in attempt.items.select_related("question")
    }
    for where, html in fragments:
        assert "Explain Q" not in html, f"explanation text in {where}"
        for choice in correct.values():
            assert not endpoints.marks_correct(html, choice), f"correct choice marked in {where}"
        lowered = html.lower()
        for marker in ("is_correct", "is-correct", "data-correct", "✓ correct", "correct answer"):
            assert marker not in lowered, f"{marker!r} in {where}"
    after = endpoints.review_html(client=user_client, attempt=attempt)
    shown = [f"Explain Q{pk} {choice.letter}" in after for pk, choice in correct.items()]
    assert any(shown), "review shows no explanations"


# Headers and CSP ---------------------------------------------------------------------------


def directive(csp: str, name: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in CSP {csp!r}")


def assert_security_headers(response, where):
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    csp = response["Content-Security-Policy"]
    script_src = directive(csp, "script-src")
    assert "'self'" in script_src, where
    assert "'unsafe-inline'" not in script_src, where
    nonces = [word for word in script_src if word.startswith("'nonce-")]
    assert len(nonces) == 1, where
    assert "'unsafe-inline'" not in directive(csp, "style-src"), where
    assert directive(csp, "frame-ancestors") == ["'none'"], where
    html = response.content.decode()
    nonce = nonces[0][len("'nonce-") : -1]
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="' in tag or f'nonce="{nonce}"' in tag, f"inline script without nonce: {tag}"


def test_security_headers_and_csp_on_every_page_type(client, user):
    anonymous = {
        "home": reverse("home"),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "catalogue": reverse("exams:catalogue"),
        "404": "/no-such-page/",
    }
    for where, url in anonymous.items():
        response = client.get(url)
        assert response.status_code in (200, 404), (where, response.status_code)
        assert_security_headers(response, where)
    client.force_login(user)
    signed_in = {
        "dashboard": reverse("home"),
        "profile": reverse("accounts:profile"),
        "profile edit": reverse("accounts:profile_edit"),
        "catalogue (signed in)": reverse("exams:catalogue"),
        **endpoints.learner_page_urls(user),
    }
    for where, url in signed_in.items():
        response = client.get(url)
        assert response.status_code == 200, (where, url, response.status_code)
        assert_security_headers(response, where)
        fragment = client.get(url, **HX)
        assert fragment["Content-Security-Policy"], where


def test_check_deploy_is_clean_in_production():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "billings.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/billings-deploy-check"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout


def test_xss_payloads_are_what_the_tests_look_for():
    """Guard the guard: the payloads hold exactly the strings assert_escaped rejects."""
    with pytest.raises(AssertionError):
        assert_escaped(XSS_SCRIPT, "payload")
    with pytest.raises(AssertionError):
        assert_escaped(XSS_IMG, "payload")
