import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROD_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 64 + "production-secret-for-checks",
    "DJANGO_ALLOWED_HOSTS": "billings.example.com",
    "DATABASE_URL": "sqlite:////tmp/billings-check.sqlite3",
    "PATH": "/usr/bin:/bin",
}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, check=False
    )


def test_home_anonymous_lists_exams(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"CompTIA Security+" in response.content
    assert b"Sign up" in response.content


def test_healthz_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_csp_header_without_unsafe_inline_scripts(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'unsafe-inline'" not in script_src
    assert "'nonce-" in script_src
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_every_script_tag_carries_the_nonce(client):
    response = client.get(reverse("home"))
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert html.count("<script") == html.count(f'nonce="{nonce}"') >= 1


def test_custom_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_production_refuses_to_start_without_secrets():
    env = {"DJANGO_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_check_deploy_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_failure_in_a_view_is_a_friendly_503(client, monkeypatch):
    from questions import selectors

    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("billings.views.exam_catalogue", broken)
    assert selectors.exam_catalogue  # the real one stays importable
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert b"Back in a moment" in response.content
    assert b"Traceback" not in response.content
    assert response["Retry-After"] == "30"


def test_handler500_turns_lost_database_into_503(rf):
    from billings.views import server_error

    try:
        raise OperationalError("could not connect to server")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503

    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_uploaded_media_is_served_with_nosniff(client, settings, tmp_path):
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings.MEDIA_ROOT = tmp_path
    response = client.get("/media/avatars/a.png")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/%2e%2e/manage.py").status_code in (400, 404)


@override_settings(DEBUG=True)
def test_htmx_comes_without_the_debug_error_overlay(client, user):
    """In DEBUG, django-htmx's debug script would replace the page with a 4xx body.

    Our 400/403/404 replies to htmx are short messages for a toast, so it must stay out.
    """
    pages = [client.get(reverse("home"))]  # the visitors' home page
    client.force_login(user)
    pages.append(client.get(reverse("home")))  # the dashboard
    for response in pages:
        html = response.content.decode()
        assert "django_htmx/htmx-2.min.js" in html
        assert "django-htmx.js" not in html


def test_head_is_answered_like_get(client, user):
    """Link checkers and uptime monitors send HEAD; GET-only views would say 405."""
    assert client.head(reverse("home")).status_code == 200
    response = client.head(reverse("gamification:badges"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    client.force_login(user)
    for name in ("home", "gamification:dashboard", "gamification:badges", "accounts:profile"):
        response = client.head(reverse(name))
        assert response.status_code == 200, name
        assert response.content == b""
