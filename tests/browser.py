"""What the browser tests of every app share: a signed-in session and a watch on the console.

The ``browser`` and ``page`` fixtures themselves are in the root ``conftest.py``.
"""

from django.conf import settings
from django.test import Client


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
