"""The ``durations`` template filters: honest words for short and long stretches of time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from exams.templatetags.durations import ago, duration, time_left

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("elapsed", "words"),
    [
        (timedelta(0), "under a minute"),
        (timedelta(seconds=45), "under a minute"),
        (timedelta(seconds=60), f"1{NBSP}minute"),
        (timedelta(minutes=61), f"1{NBSP}hour, 1{NBSP}minute"),
        (timedelta(hours=2, minutes=5), f"2{NBSP}hours, 5{NBSP}minutes"),
        (timedelta(seconds=-3), "under a minute"),  # a clock that stepped back
    ],
)
def test_duration(elapsed, words):
    assert duration(START, START + elapsed) == words


@pytest.mark.parametrize(
    ("elapsed", "words"),
    [
        (timedelta(0), "less than a minute ago"),
        (timedelta(seconds=45), "less than a minute ago"),
        (timedelta(seconds=60), f"1{NBSP}minute ago"),
        (timedelta(minutes=61), f"1{NBSP}hour, 1{NBSP}minute ago"),
        (timedelta(hours=2, minutes=5), f"2{NBSP}hours, 5{NBSP}minutes ago"),
    ],
)
def test_ago(elapsed, words):
    assert ago(START, START + elapsed) == words


@pytest.mark.parametrize(
    ("left", "words"),
    [
        (timedelta(0), "less than a minute left"),
        (timedelta(seconds=45), "less than a minute left"),
        (timedelta(seconds=60), f"about 1{NBSP}minute left"),
        (timedelta(minutes=61), f"about 1{NBSP}hour, 1{NBSP}minute left"),
        (timedelta(hours=2, minutes=5), f"about 2{NBSP}hours, 5{NBSP}minutes left"),
    ],
)
def test_time_left(left, words):
    assert time_left(START + left, START) == words


def test_missing_times_print_nothing():
    assert duration(None, START) == ago(None) == time_left(None) == ""


def test_filters_default_to_now_in_templates():
    from django.utils import timezone

    template = Template(
        "{% load durations %}{{ started|duration }} | {{ started|ago }} | {{ deadline|time_left }}"
    )
    now = timezone.now()
    context = Context({"started": now - timedelta(seconds=5), "deadline": now + timedelta(hours=3)})
    assert template.render(context) == (
        f"under a minute | less than a minute ago | about 2{NBSP}hours, 59{NBSP}minutes left"
    )
