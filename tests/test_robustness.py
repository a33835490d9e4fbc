"""Faults: malformed input never gives a 500, and a failure while finishing rolls back.

The database outage drill lives in bench/db_outage.py (it stops PostgreSQL).
"""

from dataclasses import dataclass
from unittest import mock

import pytest
from django.urls import reverse

from accounts.models import Profile
from accounts.tests.factories import PASSWORD, UserFactory
from exams import services
from exams.models import Attempt
from exams.tests.factories import answer_all, bank_build
from gamification.models import DailyActivity, UserBadge, XPEntry
from tests import endpoints
from tests.conftest import attempt_start

pytestmark = pytest.mark.django_db

HUGE = 10**30
LONG = "x" * 100_000


@dataclass(frozen=True)
class Bad:
    label: str
    method: str
    url: object  # world, foreign -> url
    data: object = None  # world, foreign -> dict
    # Forms that re-render with their errors (status 200) instead of a 4xx.
    form_page: bool = False
    login: bool = True
    # GET parameters a page may ignore and fall back from (a filter, a page number).
    lenient: bool = False
    # A known bug, reported to the owner: the test fails until it is fixed.
    bug: str = ""

    def __str__(self):
        return self.label


def _u(name, *args):
    return reverse(name, args=args)


def _attempt_url(name, attempt_id, *rest):
    """Attempt URLs built by hand: reverse() refuses some of the values under test."""
    return _u(name, 1, *rest).replace("/1/", f"/{attempt_id}/", 1)


def _question_url(name, attempt_id, position):
    path = _u(name, 1, 1)
    return path.replace("/attempts/1/q/1/", f"/attempts/{attempt_id}/q/{position}/", 1)


def _choice(world, position=2, index=0):
    return world.item(world.practice, position).choice_order[index]


def _sim_choice(world, position=2):
    return world.item(world.simulation, position).choice_order[0]


def _constant(data):
    return lambda world, foreign: data


def _posts(prefix, url, bodies, **flags):
    """One bad POST to the same ``url`` for each ``(label, body)``: ``body`` is a dict or, where
    it needs the learners' rows, ``world, foreign -> dict``."""
    return [
        Bad(f"{prefix} {label}", "post", url, body if callable(body) else _constant(body), **flags)
        for label, body in bodies
    ]


ANSWER = "exams:answer"
P = lambda w: w.practice.pk  # noqa: E731
S = lambda w: w.simulation.pk  # noqa: E731


# Where a simulation answer may not send the learner (``go``), with or without a choice sent.
GO_NOT_A_POSITION = [
    ("superscript two", "²"),
    ("arabic digit", "٣"),
    ("abc", "abc"),
    ("huge", str(HUGE)),
    ("zero", "0"),
    ("beyond last", "99"),
    ("negative", "-1"),
    ("empty", ""),
]


def _go(value, *, with_choice):
    if with_choice:
        return lambda w, f: {"go": value, "choice": _sim_choice(w)}
    return lambda w, f: {"go": value}


CASES = [
    # Attempt and position in the URL.
    Bad("question huge attempt id", "get", lambda w, f: _attempt_url("exams:resume", HUGE)),
    Bad("question huge position", "get", lambda w, f: _question_url("exams:question", P(w), HUGE)),
    Bad("question position 0", "get", lambda w, f: _question_url("exams:question", P(w), 0)),
    Bad("question beyond last", "get", lambda w, f: _question_url("exams:question", P(w), 99)),
    Bad("question abc", "get", lambda w, f: f"/exams/attempts/{P(w)}/q/abc/"),
    Bad("question negative", "get", lambda w, f: f"/exams/attempts/{P(w)}/q/-1/"),
    Bad("results huge id", "get", lambda w, f: _attempt_url("exams:results", HUGE)),
    Bad("review huge id", "get", lambda w, f: _attempt_url("exams:review", HUGE)),
    Bad(
        "review unknown filter",
        "get",
        lambda w, f: _u("exams:review", w.submitted.pk) + "?show=<x>",
        lenient=True,
    ),
    Bad("clock huge id", "get", lambda w, f: _attempt_url("exams:clock", HUGE)),
    Bad("submit huge id", "get", lambda w, f: _attempt_url("exams:submit", HUGE)),
    Bad("history page abc", "get", lambda w, f: _u("exams:history") + "?page=abc", lenient=True),
    Bad(
        "history page huge",
        "get",
        lambda w, f: _u("exams:history") + f"?page={HUGE}",
        lenient=True,
    ),
    # Answers.
    *(
        Bad(
            f"answer go {name}{' with a choice' if with_choice else ''}",
            "post",
            lambda w, f: _question_url(ANSWER, S(w), 2),
            _go(value, with_choice=with_choice),
        )
        for name, value in GO_NOT_A_POSITION
        for with_choice in (False, True)
    ),
    *_posts(
        "answer",
        lambda w, f: _question_url(ANSWER, P(w), 2),
        [
            ("missing choice", {}),
            ("choice abc", {"choice": "abc"}),
            ("choice huge", {"choice": str(HUGE)}),
            ("choice negative", {"choice": "-1"}),
            ("choice overlong", {"choice": LONG}),
            ("choice of another question", lambda w, f: {"choice": _choice(w, position=3)}),
            (
                "choice from another learner's attempt",
                lambda w, f: {"choice": f.item(f.practice, 2).choice_order[0]},
            ),
            (
                "two choices to a one-answer question",
                lambda w, f: {"choice": w.item(w.practice, 2).choice_order[:2]},
            ),
        ],
    ),
    Bad(
        "answer huge position",
        "post",
        lambda w, f: _question_url(ANSWER, P(w), HUGE),
        lambda w, f: {"choice": _choice(w)},
    ),
    Bad(
        "answer beyond last",
        "post",
        lambda w, f: _question_url(ANSWER, P(w), 99),
        lambda w, f: {"choice": _choice(w)},
    ),
    Bad(
        "answer huge attempt id",
        "post",
        lambda w, f: _question_url(ANSWER, HUGE, 2),
        lambda w, f: {"choice": _choice(w)},
    ),
    Bad(
        "answer another learner's attempt",
        "post",
        lambda w, f: _question_url(ANSWER, f.practice.pk, 2),
        lambda w, f: {"choice": f.item(f.practice, 2).choice_order[0]},
    ),
    Bad(
        "answer a submitted attempt",
        "post",
        lambda w, f: _question_url(ANSWER, w.submitted.pk, 2),
        lambda w, f: {"choice": w.item(w.submitted, 2).choice_order[0]},
    ),
    Bad(
        "simulation answer choice abc",
        "post",
        lambda w, f: _question_url(ANSWER, S(w), 2),
        lambda w, f: {"choice": ["abc", _sim_choice(w)]},
    ),
    *_posts(
        "answer confidence",
        lambda w, f: _question_url(ANSWER, P(w), 2),
        [
            (label, lambda w, f, value=value: {"choice": _choice(w), "confidence": value})
            for label, value in [("abc", "abc"), ("huge", str(HUGE))]
        ],
    ),
    # Spaced review and smart sets.
    Bad("review start with nothing due", "post", lambda w, f: _u("study:review")),
    *_posts(
        "build",
        lambda w, f: _u("study:build", w.exam.slug),
        [
            ("pool unknown", {"pool": "<x>", "count": 5, "feedback": "now"}),
            ("count huge", {"pool": "all", "count": str(HUGE), "feedback": "now"}),
            ("count 0", {"pool": "all", "count": "0", "feedback": "now"}),
            ("domain abc", {"pool": "all", "count": 5, "feedback": "now", "domains": "abc"}),
            (
                "domain of another exam",
                {"pool": "all", "count": 5, "feedback": "now", "domains": str(HUGE)},
            ),
            (
                "last attempts huge",
                {"pool": "missed", "count": 5, "feedback": "now", "last_attempts": LONG},
            ),
        ],
    ),
    Bad(
        "build check junk",
        "get",
        lambda w, f: _u("study:build", w.exam.slug) + "?check=1&pool=all&count=abc",
    ),
    Bad("build unknown exam", "post", lambda w, f: "/study/nope/build/", _constant({})),
    Bad("preset unknown", "post", lambda w, f: _u("study:preset", w.exam.slug, "<x>")),
    Bad("preset unknown exam", "post", lambda w, f: "/study/nope/preset/quick/"),
    Bad("goal without a target exam", "post", lambda w, f: _u("study:goal")),
    Bad("retry huge attempt id", "post", lambda w, f: _attempt_url("study:retry", HUGE)),
    Bad("retry another learner's attempt", "post", lambda w, f: _u("study:retry", f.submitted.pk)),
    Bad("retry an open attempt", "post", lambda w, f: _u("study:retry", w.practice.pk)),
    # Flags and bookmarks.
    *_posts(
        "flag",
        lambda w, f: _question_url("exams:flag", S(w), 2),
        [("missing", {}), ("abc", {"flagged": "abc"}), ("huge", {"flagged": str(HUGE)})],
    ),
    Bad(
        "flag huge position",
        "post",
        lambda w, f: _question_url("exams:flag", S(w), HUGE),
        lambda w, f: {"flagged": "1"},
    ),
    Bad(
        "flag beyond last",
        "post",
        lambda w, f: _question_url("exams:flag", S(w), 99),
        lambda w, f: {"flagged": "1"},
    ),
    *_posts(
        "countdown",
        lambda w, f: _attempt_url("exams:countdown", S(w)),
        [("missing", {}), ("yes", {"hidden": "yes"})],
    ),
    Bad(
        "countdown another learner's attempt",
        "post",
        lambda w, f: _attempt_url("exams:countdown", f.simulation.pk),
        lambda w, f: {"hidden": "1"},
    ),
    Bad(
        "item bookmark missing",
        "post",
        lambda w, f: _question_url("exams:item_bookmark", w.submitted.pk, 1),
        lambda w, f: {},
    ),
    Bad(
        "item bookmark huge position",
        "post",
        lambda w, f: _question_url("exams:item_bookmark", w.submitted.pk, HUGE),
        lambda w, f: {"on": "1"},
    ),
    Bad(
        "item bookmark unanswered simulation question",
        "post",
        lambda w, f: _question_url("exams:item_bookmark", S(w), 3),
        lambda w, f: {"on": "1"},
    ),
    *_posts(
        "bookmark",
        lambda w, f: _u("exams:bookmark", w.exam.questions.first().pk),
        [("missing", {}), ("abc", {"on": "abc"})],
    ),
    Bad(
        "bookmark huge question id",
        "post",
        lambda w, f: _u("exams:bookmark", 1).replace("/1/", f"/{HUGE}/"),
        lambda w, f: {"on": "1"},
    ),
    Bad(
        "bookmark huge question id off",
        "post",
        lambda w, f: _u("exams:bookmark", 1).replace("/1/", f"/{HUGE}/"),
        lambda w, f: {"on": "0"},
    ),
    Bad(
        "bookmark 20-digit question id off",
        "post",
        lambda w, f: _u("exams:bookmark", 1).replace("/1/", "/99999999999999999999999/"),
        lambda w, f: {"on": "0"},
    ),
    Bad(
        "bookmark unanswered simulation question",
        "post",
        lambda w, f: _u("exams:bookmark", w.item(w.simulation, 3).question_id),
        lambda w, f: {"on": "1"},
    ),
    Bad(
        "bookmark unknown question",
        "post",
        lambda w, f: _u("exams:bookmark", 987654),
        lambda w, f: {"on": "1"},
    ),
    *_posts(
        "bookmarks start",
        lambda w, f: _u("exams:bookmarks_start"),
        [
            ("missing", {}),
            ("count abc", lambda w, f: {"exam": w.exam.slug, "count": "abc"}),
            ("count huge", lambda w, f: {"exam": w.exam.slug, "count": str(HUGE)}),
            ("unknown exam", {"exam": LONG, "count": "1"}),
        ],
    ),
    # Starting an attempt.
    Bad("start unknown mode", "get", lambda w, f: _u("exams:start", w.exam.slug, "bogus")),
    Bad("start unknown exam", "get", lambda w, f: _u("exams:start", "no-such-exam", "practice")),
    *_posts(
        "start",
        lambda w, f: _u("exams:start", w.exam.slug, "practice"),
        [
            ("missing", {}),
            ("length abc", {"length": "abc"}),
            ("custom length huge", {"length": "custom", "custom_length": str(HUGE)}),
            ("custom length negative", {"length": "custom", "custom_length": "-5"}),
            ("domain abc", {"length": "10", "domains": ["abc"]}),
            ("domain huge", {"length": "10", "domains": [str(HUGE)]}),
            (
                "domain of another exam",
                lambda w, f: {"length": "10", "domains": [str(f.exam.domains.first().pk)]},
            ),
            (
                "objective of another exam",
                lambda w, f: {
                    "length": "10",
                    "objectives": [str(f.exam.domains.first().objectives.first().pk)],
                },
            ),
        ],
    ),
    *_posts(
        "drill target",
        lambda w, f: _u("exams:start", w.exam.slug, "drill"),
        [
            ("abc", {"length": "10", "target": "d:abc"}),
            (
                "of another exam",
                lambda w, f: {"length": "10", "target": f"d:{f.exam.domains.first().pk}"},
            ),
            ("missing", {"length": "10"}),
        ],
    ),
    # Profile.
    *_posts(
        "profile",
        lambda w, f: _u("accounts:profile_edit"),
        [
            (label, {"time_zone": "UTC", "daily_goal": "20", "extra_time": "100", **data})
            for label, data in [
                ("missing everything", {"time_zone": "", "daily_goal": "", "extra_time": ""}),
                ("daily goal abc", {"daily_goal": "abc"}),
                ("daily goal huge", {"daily_goal": str(HUGE)}),
                ("daily goal negative", {"daily_goal": "-1"}),
                ("extra time 7", {"extra_time": "7"}),
                ("time zone overlong", {"time_zone": LONG}),
                ("display name overlong", {"display_name": LONG}),
                ("bio overlong", {"bio": LONG}),
                ("avatar url javascript", {"avatar_url": "javascript:alert(1)"}),
                ("avatar url overlong", {"avatar_url": "https://example.com/" + LONG}),
            ]
        ],
        form_page=True,
    ),
    # Deleting the account.
    *_posts(
        "delete",
        lambda w, f: _u("accounts:delete"),
        [
            ("missing password", {}),
            ("wrong password", {"password": "wrong"}),
            ("overlong password", {"password": LONG}),
            ("password list", {"password": ["a", "b"]}),
        ],
        form_page=True,
    ),
    # Email addresses and password change (allauth's forms).
    *_posts(
        "email add",
        lambda w, f: _u("account_email"),
        [
            ("missing", {"action_add": ""}),
            ("not an address", {"action_add": "", "email": "not-an-address"}),
            ("overlong", {"action_add": "", "email": LONG + "@example.com"}),
        ],
        form_page=True,
    ),
    *_posts(
        "password change",
        lambda w, f: _u("account_change_password"),
        [
            ("missing", {}),
            ("wrong current", {"oldpassword": "wrong", "password1": LONG, "password2": LONG}),
            ("too short", {"oldpassword": PASSWORD, "password1": "short", "password2": "short"}),
        ],
        form_page=True,
    ),
    # Avatar.
    *_posts(
        "avatar",
        lambda w, f: _u("gamification:avatar"),
        [
            ("missing", {}),
            ("unknown", {"avatar": "<script>"}),
            ("overlong", {"avatar": LONG}),
            ("locked", {"avatar": "crown"}),
            ("list", {"avatar": ["circle", "crown"]}),
        ],
        form_page=True,
    ),
    # allauth forms.
    Bad(
        "login missing",
        "post",
        lambda w, f: _u("account_login"),
        lambda w, f: {},
        form_page=True,
        login=False,
    ),
    *_posts(
        "report",
        lambda w, f: _u("questions:report", w.submitted.items.get(position=1).question_id),
        [
            ("missing", {}),
            ("unknown reason", {"reason": "abc", "item": "abc"}),
            ("huge item", {"reason": "wording", "item": HUGE}),
            (
                "foreign item",
                lambda w, f: {"reason": "wording", "item": f.submitted.items.get(position=1).pk},
            ),
            ("overlong comment", {"reason": "other", "comment": LONG}),
        ],
    ),
    Bad(
        "report huge question id",
        "post",
        lambda w, f: _u("questions:report", 1).replace("/1/", f"/{HUGE}/"),
        lambda w, f: {"reason": "other"},
    ),
    Bad(
        "report open simulation question",
        "post",
        lambda w, f: _u("questions:report", w.simulation.items.get(position=3).question_id),
        lambda w, f: {"reason": "other"},
    ),
    Bad(
        "login overlong",
        "post",
        lambda w, f: _u("account_login"),
        lambda w, f: {"login": LONG, "password": LONG},
        form_page=True,
        login=False,
    ),
    Bad(
        "signup missing",
        "post",
        lambda w, f: _u("account_signup"),
        lambda w, f: {},
        form_page=True,
        login=False,
    ),
    Bad(
        "signup overlong",
        "post",
        lambda w, f: _u("account_signup"),
        lambda w, f: {
            "email": LONG + "@example.com",
            "password1": LONG,
            "password2": LONG,
            "display_name": LONG,
            "time_zone": LONG,
        },
        form_page=True,
        login=False,
    ),
]


# Which cases serve each form or htmx endpoint (by label prefix); () means the endpoint takes
# no input but its id, covered by test_id_only_posts_refuse_bad_ids.
CASES_FOR = {
    "exams:answer": ("answer", "simulation answer"),
    "exams:flag": ("flag",),
    "exams:countdown": ("countdown",),
    "exams:item_bookmark": ("item bookmark",),
    "exams:bookmark": ("bookmark ",),
    "exams:bookmarks_start": ("bookmarks start",),
    "exams:finish": (),
    "exams:abandon": (),
    "exams:start": ("start", "drill"),
    "accounts:profile_edit": ("profile",),
    "accounts:delete": ("delete",),
    "account_email": ("email add",),
    "account_change_password": ("password change",),
    "usersessions_list": (),
    "gamification:avatar": ("avatar",),
    "study:review": ("review start",),
    "study:build": ("build",),
    "study:preset": ("preset",),
    "study:goal": ("goal",),
    "study:retry": ("retry",),
    "questions:report": ("report",),
    "account_login": ("login",),
    "account_signup": ("signup",),
    "account_reset_password": (),
    "account_logout": (),
}


def test_every_post_endpoint_has_malformed_cases():
    """A new form or htmx endpoint must get malformed-input cases here."""
    names = {case.name for case in endpoints.post_cases()}
    assert not names - set(CASES_FOR), f"add cases for {sorted(names - set(CASES_FOR))}"
    for prefixes in CASES_FOR.values():
        for prefix in prefixes:
            assert any(case.label.startswith(prefix) for case in CASES), prefix


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c.bug)) if c.bug else c
        for c in CASES
    ],
    ids=str,
)
def test_malformed_input_is_a_4xx_never_a_500(case, htmx, user, other, client):
    world = endpoints.World.build(owner=user)
    foreign = endpoints.World.build(owner=other)
    if case.login:
        client.force_login(user)
    client.raise_request_exception = False
    before, before_other = world.snapshot(), foreign.snapshot()
    users = Attempt.objects.count()
    url = case.url(world, foreign)
    data = case.data(world, foreign) if case.data else {}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = getattr(client, case.method)(url, data, **headers)
    assert response.status_code != 500
    assert response.status_code < 500, response.status_code
    if case.lenient:
        assert response.status_code in (200, 404), (url, response.status_code)
    elif case.form_page and response.status_code == 200:
        assert b"error" in response.content.lower(), "form re-rendered without an error"
    else:
        assert 400 <= response.status_code < 500, (url, response.status_code)
    assert world.snapshot() == before
    assert foreign.snapshot() == before_other
    assert Attempt.objects.count() == users


@pytest.mark.parametrize("name", ["exams:finish", "exams:abandon"])
@pytest.mark.parametrize("attempt_id", [HUGE, 0, "abc"])
def test_id_only_posts_refuse_bad_ids(name, attempt_id, user_client):
    user_client.raise_request_exception = False
    url = _attempt_url(name, attempt_id)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = user_client.post(url, **headers)
        assert 400 <= response.status_code < 500, (url, response.status_code)


# Rollback ----------------------------------------------------------------------------------


class Boom(Exception):
    pass


def progress(user):
    profile = Profile.objects.get(user=user)
    return {
        "profile": {
            name: getattr(profile, name)
            for name in (
                "xp_total",
                "total_exams_taken",
                "total_questions_answered",
                "last_activity_date",
                "current_streak",
                "longest_streak",
                "streak_freezes",
            )
        },
        "xp": XPEntry.objects.filter(user=user).count(),
        "activity": list(DailyActivity.objects.filter(user=user).values()),
        "badges": UserBadge.objects.filter(user=user).count(),
    }


def _exploding_attempt_finished(calls):
    """The real award of the finish (XP, badges) runs, then the request fails."""
    from gamification import services as gamification

    real = gamification.attempt_finished

    def explode(**kwargs):
        calls.append(real(**kwargs))
        raise Boom("failure after the XP and badges were written")

    return explode


@pytest.mark.parametrize("mode", ["simulation", "practice"])
def test_error_while_finishing_rolls_everything_back(mode):
    user = UserFactory()
    exam = bank_build(weights=(60, 40), questions=3)
    attempt = attempt_start(user, exam, mode)
    answer_all(attempt)
    before = progress(user)
    calls = []
    with (
        mock.patch(
            "gamification.services.attempt_finished", side_effect=_exploding_attempt_finished(calls)
        ),
        pytest.raises(Boom),
    ):
        services.attempt_finish(attempt_id=attempt.pk, user=user)
    assert calls, "the real gamification award did not run before the failure"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.submitted_at is None and attempt.correct_count is None
    assert progress(user) == before
    assert not XPEntry.objects.filter(attempt=attempt).exists()

    # And once the fault is gone, finishing counts exactly once.
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert (
        Profile.objects.get(user=user).total_exams_taken
        == before["profile"]["total_exams_taken"] + 1
    )


def test_error_while_finishing_through_the_view_rolls_back(client):
    user = UserFactory()
    client.force_login(user)
    client.raise_request_exception = False
    exam = bank_build(weights=(60, 40), questions=3)
    attempt = attempt_start(user, exam, "simulation")
    answer_all(attempt)
    before = progress(user)
    calls = []
    with mock.patch(
        "gamification.services.attempt_finished", side_effect=_exploding_attempt_finished(calls)
    ):
        response = client.post(reverse("exams:finish", args=[attempt.pk]))
    assert response.status_code == 500
    assert b"Traceback" not in response.content
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert progress(user) == before


# User-supplied redirect targets ------------------------------------------------------------

BAD_NEXT = ["id", "exams:catalogue", "//evil.example/", "https://evil.example/x", "javascript:x"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("target", BAD_NEXT)
def test_a_next_that_is_not_a_path_on_this_site_is_ignored(target, htmx, user, client):
    """``next=id`` passed ``url_has_allowed_host_and_scheme`` and made ``redirect()`` look up a
    URL pattern named "id" (a 500); only a path on this site is followed."""
    world = endpoints.World.build(owner=user)
    client.force_login(user)
    client.raise_request_exception = False
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    question = world.exam.questions.exclude(
        pk__in=world.simulation.items.values("question_id")
    ).first()
    response = client.post(
        _u("exams:bookmark", question.pk), {"on": "1", "next": target}, **headers
    )
    location = response.get("HX-Redirect") or response.get("Location")
    assert response.status_code in (200, 302) and location == _u("exams:bookmarks")
    response = client.post(_u("exams:abandon", world.practice.pk), {"next": target}, **headers)
    location = response.get("HX-Redirect") or response.get("Location")
    assert response.status_code in (200, 302) and location == _u("exams:catalogue")


def test_a_next_path_on_this_site_is_followed(user_client, user):
    world = endpoints.World.build(owner=user)
    response = user_client.post(_u("exams:abandon", world.practice.pk), {"next": "/exams/history/"})
    assert response["Location"] == "/exams/history/"
