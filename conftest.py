"""Fixtures shared by every app's tests: users, htmx clients and a real Chromium browser."""

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    "Chromium not found. Install it (Debian: apt-get install chromium) or set "
    "BILLINGS_CHROMIUM=/path/to/chromium."
)


def chromium_path():
    candidates = [os.environ.get("BILLINGS_CHROMIUM"), "/usr/bin/chromium"]
    candidates += [shutil.which("chromium"), shutil.which("chromium-browser")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright; skips (or fails under CI) when missing."""
    path = chromium_path()
    if path is None:
        if os.environ.get("BILLINGS_REQUIRE_BROWSER"):
            pytest.fail(INSTALL_HINT + " (BILLINGS_REQUIRE_BROWSER is set, so this is an error.)")
        pytest.skip(INSTALL_HINT)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (setting up data) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    from tests.browser import page_open

    page = page_open(browser)
    yield page
    page.context.close()


@pytest.fixture
def page_without_js(browser):
    """A page with JavaScript off, for what must work without it."""
    from tests.browser import page_open

    page = page_open(browser, java_script_enabled=False)
    yield page
    page.context.close()


@pytest.fixture(autouse=True)
def clean_cache():
    """allauth keeps its rate-limit counters in the real cache; every test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing is not under test; a fast hasher keeps the many logins in the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    """A learner who can sign in through the form too (their address is verified)."""
    from accounts.tests.factories import UserFactory

    return UserFactory(verified=True)


@pytest.fixture
def other(db):
    """A second learner, for what one learner must not see or change of another's."""
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client, db):
    """Signed in as a superuser (replaces pytest-django's, which knows no email login)."""
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def htmx_headers():
    return {"HTTP_HX_REQUEST": "true"}
