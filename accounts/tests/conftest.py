"""Fixtures for the accounts tests: a clean rate-limit cache and fast password hashing."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clean_cache():
    """allauth keeps its rate-limit counters in the real cache; start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing is not under test here; a fast hasher keeps loops of logins quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
