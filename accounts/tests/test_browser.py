"""The learner's journey through accounts in a real Chromium, against the live server.

Set BILLINGS_SCREENSHOTS=/some/dir to keep screenshots of the pages checked for layout.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from questions.models import Exam
from tests.browser import page_open, sign_in, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROWSER_ZONE = "Pacific/Auckland"


@pytest.fixture
def zoned_page(browser):
    """Like ``page``, with a browser time zone that differs from the UTC default."""
    page = page_open(browser, timezone_id=BROWSER_ZONE)
    yield page
    page.context.close()


def test_visitor_signs_up_edits_profile_logs_out_and_in(zoned_page, live_server):
    page = zoned_page
    problems = watch_console(page)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create a free account").click()

    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    assert page.locator("#id_time_zone").input_value() == BROWSER_ZONE
    page.get_by_label("Email").fill("Nia.Lee@Example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("Display name").fill("Nia")
    page.get_by_role("button", name="Sign up").click()

    # The account waits for its confirmation link; following it signs the learner in.
    page.get_by_role("heading", name="Verify your email address").wait_for()
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("link", name="Create a free account").count() == 0
    profile = User.objects.get(email="nia.lee@example.com").profile
    assert (profile.display_name, profile.time_zone) == ("Nia", BROWSER_ZONE)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.wait_for_url(re.compile(r"/profile/$"))
    profile_url = page.url
    assert page.locator(".profile-name").inner_text() == "Nia"

    page.evaluate("window.billingsNoReload = true")
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Display name").fill("Nia Lee")
    page.get_by_label("Bio").fill("Studying for Security+.")
    page.get_by_role("button", name="Save profile").click()
    page.locator(".profile-name", has_text="Nia Lee").wait_for()
    assert page.url == profile_url
    assert page.evaluate("window.billingsNoReload") is True
    assert page.get_by_role("status").filter(has_text="Profile saved.").is_visible()
    profile.refresh_from_db()
    assert (profile.display_name, profile.bio) == ("Nia Lee", "Studying for Security+.")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Create a free account").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("NIA.LEE@example.COM")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert problems == []


def check_page(page, url, name, shots):
    problems = watch_console(page)
    page.goto(url)
    page.wait_for_load_state("load")
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px ({scroll_width}px)"
    if shots:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert problems == [], f"{name}: {problems}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_without_csp_violations(page, live_server, width, scheme):
    shots = os.environ.get("BILLINGS_SCREENSHOTS")
    shots = Path(shots) if shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    suffix = f"{width}-{scheme}"
    # Transactional tests start from empty tables: give the home page exams to lay out.
    for n, name in enumerate(["CompTIA A+ Core 1", "CompTIA Network+", "CompTIA Security+"]):
        Exam.objects.create(slug=f"layout{n}", code=f"LAY-{n}", name=name, pass_mark=700)
    for path, name in [
        ("/", "home"),
        ("/accounts/signup/", "signup"),
        ("/accounts/login/", "login"),
        ("/accounts/password/reset/", "password-reset"),
    ]:
        check_page(page, live_server.url + path, f"{name}-{suffix}", shots)

    user = UserFactory(email="layout@example.com", verified=True)
    user.profile.display_name = "Layout Tester"
    user.profile.save()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    for path, name in [
        ("/", "dashboard"),
        ("/profile/", "profile"),
        ("/profile/edit/", "profile-edit"),
        ("/accounts/password/change/", "password-change"),
        ("/accounts/email/", "email"),
        ("/accounts/logout/", "logout"),
    ]:
        check_page(page, live_server.url + path, f"{name}-{suffix}", shots)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_refused_profile_save_shows_its_errors(browser, live_server, javascript):
    page = page_open(browser, java_script_enabled=javascript)
    problems = watch_console(page)
    user = UserFactory(verified=True)
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/profile/")
    page.get_by_role("link", name="Edit profile").click()
    goal = page.get_by_label("Daily goal")
    assert goal.get_attribute("min") == "1"
    goal.fill("0")
    # The browser's own check would stop a 0 first; the server's refusal is under test.
    page.locator("#profile-details form").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Save profile").click()
    error = page.locator("#id_daily_goal_error")
    error.wait_for()
    assert "greater than or equal to 1" in error.inner_text()
    assert page.get_by_label("Daily goal").get_attribute("aria-invalid") == "true"
    user.profile.refresh_from_db()
    assert user.profile.daily_goal == 20
    assert problems == []
    page.context.close()


def test_account_menu_by_keyboard_reaches_every_setting(page, live_server):
    problems = watch_console(page)
    user = UserFactory(verified=True)
    sign_in(page, live_server, user)
    page.goto(live_server.url + "/profile/")
    page.get_by_role("link", name="Account settings").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/profile/account/$"))
    menu = page.get_by_role("navigation", name="Account settings")
    for name, heading in [
        ("Email addresses", "Email addresses"),
        ("Password", "Change password"),
        ("Two-factor authentication", "Two-factor authentication"),
        ("Sessions", "Sessions"),
        ("Delete account", "Delete your account"),
    ]:
        menu.get_by_role("link", name=name, exact=True).focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert (
            menu.get_by_role("link", name=name, exact=True).get_attribute("aria-current") == "page"
        )
    # Sessions lists this browser; delete asks for the password and says what stays.
    page.get_by_role("link", name="Sessions", exact=True).click()
    assert page.get_by_role("table", name="Where you are signed in").is_visible()
    page.get_by_role("link", name="Delete account", exact=True).click()
    page.get_by_label("Your password").fill("not-it")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("That is not your password.").wait_for()
    assert User.objects.filter(pk=user.pk).exists()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_text("Your account and everything in it were deleted.").wait_for()
    assert not User.objects.filter(pk=user.pk).exists()
    assert problems == []
