"""What the browser tests of every app share: pages, a signed-in session, a watch on the console.

The ``browser``, ``page`` and ``page_without_js`` fixtures themselves are in the root
``conftest.py``.
"""

from django.conf import settings
from django.test import Client


def page_open(browser, *, width: int = 1280, height: int = 900, **options):
    """A new page, in a fresh context of ``width`` × ``height`` pixels; ``options`` go to the
    context (``java_script_enabled=False``, ``bypass_csp=True``...). Close it with
    ``page.context``."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def watch_console(page) -> list[str]:
    """Collect CSP violations and uncaught script errors reported by the page."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def sign_in(target, live_server, user) -> None:
    """Give the browser (a page or a whole context) ``user``'s session, without the form.

    Tests of the sign-in form itself fill the form instead.
    """
    client = Client()
    client.force_login(user)
    context = getattr(target, "context", target)  # a Page has its BrowserContext
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
