"""Billings' real settings with one change for the load bench: a fast password hasher.

The production hasher (PBKDF2, 1.5 million iterations) costs about half a second of CPU per
login by design. A hundred learners logging in at once would spend the bench's whole CPU budget
on key stretching and say nothing about the exam engine, so the seeded learners' passwords are
stored with MD5 and the servers list MD5 first (so no hash is "upgraded" on login). The URLconf
is ``bench.floor``: every URL of ``billings.urls`` unchanged, plus two bench-only "floor"
endpoints the load bench compares the answer endpoint with. Everything else, middleware,
sessions, caches, rate limits and templates, comes unchanged from ``billings.settings``.
Never use this module outside ``bench/``.
"""

from billings.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

ROOT_URLCONF = "bench.floor"
