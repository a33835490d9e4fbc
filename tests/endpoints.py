"""The map of the learner apps' URLs that the security and robustness tests walk.

``learner_routes()`` reads the URLconf; every URL name of the learner apps must be classified
here, so a new URL cannot slip past the ownership matrix, the CSRF test or the malformed-input
test unnoticed (``test_every_learner_url_is_classified`` fails until it is added).
"""

import difflib
import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

LEARNER_NAMESPACES = ("accounts", "exams", "gamification", "questions", "study")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:url_name"
    route: str
    kwargs: tuple

    @property
    def takes_id(self):
        return any(k.endswith("id") or k == "pk" for k in self.kwargs)


def learner_routes():
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and namespace in LEARNER_NAMESPACES:
                route = prefix + str(pattern.pattern)
                kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
                yield Route(f"{namespace}:{pattern.name}", route, kwargs)

    return list(walk(get_resolver().url_patterns, "", None))


# The learner's data -------------------------------------------------------------------------


@dataclass
class World:
    """One learner's data: attempts in every state, a bookmark, progress on the profile."""

    owner: object
    practice: object  # in progress, question 1 answered
    simulation: object  # in progress, question 1 answered
    submitted: object  # a finished practice attempt
    exam: object
    other_exam: object = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def build(cls, *, owner):
        from exams import services
        from exams.models import Bookmark
        from exams.tests.factories import ExamFactory, bank_build
        from tests.conftest import attempt_start

        # Eight questions, four in the simulation; the practice set, started after it, gets the
        # other four (a question of an open simulation is never served elsewhere).
        exam = bank_build(exam=ExamFactory(question_count=4), weights=(60, 40), questions=8)
        submitted = attempt_start(owner, exam, "practice", count=2)
        simulation = attempt_start(owner, exam, "simulation")
        practice = attempt_start(owner, exam, "practice")
        for attempt in (practice, simulation, submitted):
            item = attempt.items.get(position=1)
            services.answer_submit(
                attempt_id=attempt.pk, user=owner, position=1, choice_ids=item.choice_order[:1]
            )
        services.attempt_finish(attempt_id=submitted.pk, user=owner)
        Bookmark.objects.create(user=owner, question=exam.questions.first())
        for attempt in (practice, simulation, submitted):
            attempt.refresh_from_db()
        return cls(
            owner=owner, practice=practice, simulation=simulation, submitted=submitted, exam=exam
        )

    def item(self, attempt, position):
        return attempt.items.get(position=position)

    def snapshot(self):
        """Everything of the owner that a request could change."""
        from accounts.models import Profile
        from exams.models import Attempt, AttemptItem, Bookmark
        from gamification.models import DailyActivity, UserBadge, XPEntry
        from questions.models import QuestionReport
        from study.models import Card

        user = self.owner
        return {
            "attempts": list(
                Attempt.objects.filter(user=user)
                .order_by("pk")
                .values_list("pk", "status", "current_position", "correct_count", "submitted_at")
            ),
            "items": list(
                AttemptItem.objects.filter(attempt__user=user)
                .order_by("pk")
                .values_list("pk", "selected", "flagged", "answered_at", "is_correct")
            ),
            "bookmarks": sorted(
                Bookmark.objects.filter(user=user).values_list("question_id", flat=True)
            ),
            "profile": Profile.objects.filter(user=user).values().get(),
            "xp": list(XPEntry.objects.filter(user=user).values_list("pk", "amount")),
            "activity": list(DailyActivity.objects.filter(user=user).values()),
            "badges": list(UserBadge.objects.filter(user=user).values_list("badge_id")),
            "cards": list(
                Card.objects.filter(user=user).order_by("pk").values_list("pk", "due", "reps")
            ),
            "reports": list(
                QuestionReport.objects.filter(user=user).values_list("pk", "status", "reason")
            ),
        }


def _choice(world, attempt, position, index=0):
    return {"choice": [world.item(attempt, position).choice_order[index]]}


@dataclass(frozen=True)
class Case:
    name: str
    methods: tuple
    url_of: object
    data_of: object = None
    login: bool = True
    label: str = ""

    def url(self, world):
        return self.url_of(world)

    def data(self, world):
        return self.data_of(world) if self.data_of else {}

    def __str__(self):
        return self.label or self.name


def _u(name, *args):
    return reverse(name, args=args)


def _form(name, url_of, data_of=None):
    """A page with a form: shown by a GET, sent by a POST (the case labelled "<name> post")."""
    return [
        Case(name, ("get",), url_of),
        Case(name, ("post",), url_of, data_of, label=f"{name} post"),
    ]


# URLs that take an attempt id: a second learner gets 404, GET and POST alike.
OWNED = {
    "exams:resume": [Case("exams:resume", ("get",), lambda w: _u("exams:resume", w.practice.pk))],
    "exams:question": [
        Case("exams:question", ("get",), lambda w: _u("exams:question", w.practice.pk, 2)),
        Case(
            "exams:question",
            ("get",),
            lambda w: _u("exams:question", w.simulation.pk, 1),
            label="exams:question simulation",
        ),
    ],
    "exams:answer": [
        Case(
            "exams:answer",
            ("post",),
            lambda w: _u("exams:answer", w.practice.pk, 2),
            lambda w: _choice(w, w.practice, 2),
        ),
        Case(
            "exams:answer",
            ("post",),
            lambda w: _u("exams:answer", w.simulation.pk, 1),
            lambda w: _choice(w, w.simulation, 1, 1),
            label="exams:answer change simulation answer",
        ),
    ],
    "exams:flag": [
        Case(
            "exams:flag",
            ("post",),
            lambda w: _u("exams:flag", w.simulation.pk, 2),
            lambda w: {"flagged": "1"},
        )
    ],
    "exams:item_bookmark": [
        Case(
            "exams:item_bookmark",
            ("post",),
            lambda w: _u("exams:item_bookmark", w.submitted.pk, 2),
            lambda w: {"on": "1"},
        )
    ],
    "exams:clock": [Case("exams:clock", ("get",), lambda w: _u("exams:clock", w.simulation.pk))],
    "exams:countdown": [
        Case(
            "exams:countdown",
            ("post",),
            lambda w: _u("exams:countdown", w.simulation.pk),
            lambda w: {"hidden": "1"},
        )
    ],
    "exams:submit": [Case("exams:submit", ("get",), lambda w: _u("exams:submit", w.simulation.pk))],
    "exams:finish": [
        Case("exams:finish", ("post",), lambda w: _u("exams:finish", w.simulation.pk))
    ],
    "exams:abandon": [
        Case("exams:abandon", ("post",), lambda w: _u("exams:abandon", w.practice.pk))
    ],
    "exams:results": [
        Case("exams:results", ("get",), lambda w: _u("exams:results", w.submitted.pk))
    ],
    "exams:review": [Case("exams:review", ("get",), lambda w: _u("exams:review", w.submitted.pk))],
    "study:retry": [Case("study:retry", ("post",), lambda w: _u("study:retry", w.submitted.pk))],
}

# URLs that act only on the requester's own rows (no id of the learner's data in the URL):
# another learner's request cannot reach the owner's data, and an anonymous one must log in.
SELF = {
    "accounts:profile": [Case("accounts:profile", ("get",), lambda w: _u("accounts:profile"))],
    "accounts:profile_edit": _form(
        "accounts:profile_edit",
        lambda w: _u("accounts:profile_edit"),
        lambda w: {
            "display_name": "Changed",
            "time_zone": "UTC",
            "daily_goal": 5,
            "extra_time": 200,
        },
    ),
    "accounts:account": [Case("accounts:account", ("get",), lambda w: _u("accounts:account"))],
    "accounts:data_download": [
        Case("accounts:data_download", ("get",), lambda w: _u("accounts:data_download"))
    ],
    # The POST has a wrong password: the request is refused and nothing of anybody's goes.
    "accounts:delete": _form(
        "accounts:delete",
        lambda w: _u("accounts:delete"),
        lambda w: {"password": "not-the-password"},
    ),
    "exams:history": [Case("exams:history", ("get",), lambda w: _u("exams:history"))],
    "exams:bookmarks": [Case("exams:bookmarks", ("get",), lambda w: _u("exams:bookmarks"))],
    "exams:bookmarks_start": [
        Case(
            "exams:bookmarks_start",
            ("post",),
            lambda w: _u("exams:bookmarks_start"),
            lambda w: {"exam": w.exam.slug, "count": 1},
        )
    ],
    # Takes a question id, but questions are shared: the bookmark toggled is the requester's.
    "exams:bookmark": [
        Case(
            "exams:bookmark",
            ("post",),
            lambda w: _u("exams:bookmark", w.exam.questions.first().pk),
            lambda w: {"on": "0"},
        )
    ],
    "exams:start": _form(
        "exams:start",
        lambda w: _u("exams:start", w.exam.slug, "practice"),
        lambda w: {"length": "10"},
    ),
    "study:review": _form("study:review", lambda w: _u("study:review")),
    "study:goal": [Case("study:goal", ("post",), lambda w: _u("study:goal"))],
    "study:build": _form(
        "study:build",
        lambda w: _u("study:build", w.exam.slug),
        lambda w: {"pool": "all", "count": 2, "feedback": "now"},
    ),
    "study:daily": [Case("study:daily", ("get",), lambda w: _u("study:daily", w.exam.slug))],
    "study:preset": [
        Case(
            "study:preset",
            ("post",),
            lambda w: _u("study:preset", w.exam.slug, "quick"),
        )
    ],
    "gamification:dashboard": [
        Case("gamification:dashboard", ("get",), lambda w: _u("gamification:dashboard"))
    ],
    # Takes a question id (shared); the item posted must be the requester's own (else 404).
    "questions:report": _form(
        "questions:report",
        lambda w: _u("questions:report", w.submitted.items.get(position=1).question_id),
        lambda w: {"reason": "wording", "item": w.submitted.items.get(position=1).pk},
    ),
    "questions:reports": [Case("questions:reports", ("get",), lambda w: _u("questions:reports"))],
    "gamification:badges": [
        Case("gamification:badges", ("get",), lambda w: _u("gamification:badges"))
    ],
    "gamification:leaderboard": [
        Case("gamification:leaderboard", ("get",), lambda w: _u("gamification:leaderboard"))
    ],
    "gamification:avatar": _form(
        "gamification:avatar", lambda w: _u("gamification:avatar"), lambda w: {"avatar": "square"}
    ),
}

# URLs whose id names something shared by all learners (a question), not a learner's data;
# the ownership test for them is that the owner's rows stay as they were (SELF above).
SHARED_IDS = {
    "exams:bookmark": "the question id is public; the bookmark toggled is the requester's",
    "questions:report": "the question id is public; the attempt item must be the requester's",
}

# URLs anyone may see.
PUBLIC = {"exams:catalogue"}

CLASSIFIED = {*OWNED, *SELF, *PUBLIC}

# Forms of allauth that a visitor posts (CSRF applies to them too).
ALLAUTH_POSTS = [
    Case(
        "account_login",
        ("post",),
        lambda w: _u("account_login"),
        lambda w: {"login": w.owner.email, "password": "x"},
        login=False,
    ),
    Case(
        "account_signup",
        ("post",),
        lambda w: _u("account_signup"),
        lambda w: {"email": "n@example.com", "password1": "x", "password2": "x"},
        login=False,
    ),
    Case(
        "account_reset_password",
        ("post",),
        lambda w: _u("account_reset_password"),
        lambda w: {"email": w.owner.email},
        login=False,
    ),
    Case("account_logout", ("post",), lambda w: _u("account_logout")),
    Case(
        "account_email",
        ("post",),
        lambda w: _u("account_email"),
        lambda w: {"action_add": "", "email": "second@example.com"},
    ),
    Case(
        "account_change_password",
        ("post",),
        lambda w: _u("account_change_password"),
        lambda w: {"oldpassword": "x", "password1": "x", "password2": "x"},
    ),
    Case("usersessions_list", ("post",), lambda w: _u("usersessions_list")),
]


def _defined(cases):
    names = {route.name for route in learner_routes()}
    return [case for case in cases if case.name in names]


def owned_cases():
    return _defined([case for cases in OWNED.values() for case in cases])


def login_required_cases():
    return owned_cases() + _defined([case for cases in SELF.values() for case in cases])


def post_cases():
    return [case for case in login_required_cases() if "post" in case.methods] + ALLAUTH_POSTS


# Pages for the escaping and leak tests ------------------------------------------------------


def learner_page_urls(user):
    """One URL of each learner page type, with an attempt behind those that need one."""
    from exams.tests.factories import attempt_finished, bank_build
    from tests.conftest import attempt_start

    exam = bank_build(weights=(60, 40), questions=2)
    practice = attempt_start(user, exam, "practice")
    finished = attempt_finished(attempt_start(user, exam, "practice"))
    return {
        "quiz": _u("exams:question", practice.pk, 1),
        "submit step": _u("exams:submit", practice.pk),
        "results": _u("exams:results", finished.pk),
        "review": _u("exams:review", finished.pk),
        "history": _u("exams:history"),
        "bookmarks": _u("exams:bookmarks"),
        "start": _u("exams:start", exam.slug, "practice"),
        "dashboard page": _u("gamification:dashboard"),
        "badges": _u("gamification:badges"),
        "leaderboard": _u("gamification:leaderboard"),
        "avatar": _u("gamification:avatar"),
    }


def quiz_pages_for(*, client, user, exam):
    """HTML of the quiz (practice and simulation), feedback, results and review of ``exam``."""
    from tests.conftest import attempt_start

    hx = {"HTTP_HX_REQUEST": "true"}
    pages = []
    practice = attempt_start(user, exam, "practice")
    first = practice.items.get(position=1)
    pages.append(("practice question", client.get(_u("exams:question", practice.pk, 1))))
    pages.append(
        (
            "practice feedback fragment",
            client.post(
                _u("exams:answer", practice.pk, 1), {"choice": first.choice_order[:1]}, **hx
            ),
        )
    )
    pages.append(("practice feedback page", client.get(_u("exams:question", practice.pk, 1))))
    for item in practice.items.exclude(position=1):
        client.post(_u("exams:answer", practice.pk, item.position), {"choice": item.choice_order})
    client.post(_u("exams:finish", practice.pk))
    pages.append(("results", client.get(_u("exams:results", practice.pk))))
    pages.append(("review", client.get(_u("exams:review", practice.pk))))
    pages.append(("review fragment", client.get(_u("exams:review", practice.pk), **hx)))
    pages.append(("bookmarks", client.get(_u("exams:bookmarks"))))
    client.post(_u("exams:bookmark", first.question_id), {"on": "1"})
    pages.append(("bookmarks (one)", client.get(_u("exams:bookmarks"))))
    simulation = attempt_start(user, exam, "simulation")
    pages.append(("simulation question", client.get(_u("exams:question", simulation.pk, 1))))
    pages.append(("submit step", client.get(_u("exams:submit", simulation.pk))))
    pages.append(("history", client.get(_u("exams:history"))))
    pages.append(("catalogue", client.get(_u("exams:catalogue"))))
    pages.append(("dashboard", client.get(_u("home"))))
    pages.append(("badges", client.get(_u("gamification:badges"))))
    pages.append(("leaderboard", client.get(_u("gamification:leaderboard"))))
    for where, response in pages:
        assert response.status_code == 200, (where, response.status_code)
    return [(where, response.content.decode()) for where, response in pages]


def activity_for(user):
    """Give ``user`` some XP this week (for the leaderboard)."""
    from exams.tests.factories import bank_build
    from tests.conftest import attempt_start

    exam = bank_build(weights=(60, 40), questions=1)
    attempt = attempt_start(user, exam, "practice")
    from exams import services

    item = attempt.items.get()
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=item.choice_order[:1]
    )
    services.attempt_finish(attempt_id=attempt.pk, user=user)


# Leaks during a simulation ------------------------------------------------------------------


def normalise(html: str) -> str:
    """Strip what legitimately differs between two renders of the same simulation card."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    html = re.sub(r'data-seconds-left="\d+"', "", html)
    html = re.sub(r'name="shown" value="\d+"', "", html)  # when the card was rendered
    html = re.sub(r'"seconds_left": \d+', "", html)  # the clock's JSON
    html = re.sub(r"about [^<]*", "about", html)  # the countdown's text
    html = re.sub(r"\s(checked|choice-selected)\b", "", html)
    return html


def unchanged(before: str, after: str, where: str):
    a, b = normalise(before), normalise(after)
    if a != b:
        diff = "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1))
        raise AssertionError(f"{where} depends on which answer is correct:\n{diff[:3000]}")


def simulation_responses(*, client, attempt):
    """Every page and fragment of an open simulation, each checked for correctness leaks.

    Two ways: the page must not change when a different choice is made correct in the bank
    (so it cannot mark the right one), and must not change when the learner's answer turns
    from right to wrong (so it cannot say whether the answer was right).
    """
    from questions.models import Choice

    hx = {"HTTP_HX_REQUEST": "true"}
    item1 = attempt.items.get(position=1)
    right = Choice.objects.get(question_id=item1.question_id, is_correct=True)
    wrong = Choice.objects.filter(question_id=item1.question_id, is_correct=False).first()

    def grab():
        """(where, html) of each page and fragment, in a fixed order."""
        got = [
            ("question page", client.get(_u("exams:question", attempt.pk, 1))),
            ("question card fragment", client.get(_u("exams:question", attempt.pk, 1), **hx)),
            ("next card fragment", client.get(_u("exams:question", attempt.pk, 2), **hx)),
            ("submit step", client.get(_u("exams:submit", attempt.pk))),
            ("submit step htmx", client.get(_u("exams:submit", attempt.pk), **hx)),
            ("clock", client.get(_u("exams:clock", attempt.pk))),
        ]
        for where, response in got:
            assert response.status_code == 200, (where, response.status_code)
        return [(where, response.content.decode()) for where, response in got]

    def flip(question_id, correct_id):
        Choice.objects.filter(question_id=question_id).update(is_correct=False)
        Choice.objects.filter(pk=correct_id).update(is_correct=True)

    out = []
    # 1. Unanswered: moving the right answer must not change a byte.
    before = grab()
    flip(item1.question_id, wrong.pk)
    after = grab()
    flip(item1.question_id, right.pk)
    for (where, a), (_, b) in zip(before, after, strict=True):
        unchanged(a, b, f"{where} (unanswered)")
    out += before

    # 2. Answer right, then change to wrong: responses must be the same.
    def answer(choice, *, htmx):
        return client.post(
            _u("exams:answer", attempt.pk, 1), {"choice": [choice.pk]}, **(hx if htmx else {})
        )

    right_post = answer(right, htmx=True)
    right_pages = grab()
    flag_post = client.post(_u("exams:flag", attempt.pk, 1), {"flagged": "1"}, **hx)
    unflag_post = client.post(_u("exams:flag", attempt.pk, 1), {"flagged": "0"}, **hx)
    wrong_post = answer(wrong, htmx=True)
    wrong_pages = grab()
    client.post(_u("exams:flag", attempt.pk, 1), {"flagged": "1"}, **hx)
    flag_post_wrong = client.post(_u("exams:flag", attempt.pk, 1), {"flagged": "0"}, **hx)
    plain_post = answer(right, htmx=False)
    for response in (right_post, wrong_post, flag_post, unflag_post, flag_post_wrong):
        assert response.status_code == 200, response.status_code
    assert plain_post.status_code == 302
    unchanged(right_post.content.decode(), wrong_post.content.decode(), "answer post fragment")
    unchanged(unflag_post.content.decode(), flag_post_wrong.content.decode(), "flag fragment")
    for (where, a), (_, b) in zip(right_pages, wrong_pages, strict=True):
        unchanged(a, b, f"{where} (answered)")
    out += right_pages
    out.append(("answer post fragment", right_post.content.decode()))
    out.append(("flag fragment", flag_post.content.decode()))
    return out


def marks_correct(html: str, choice) -> bool:
    """Whether the markup around ``choice`` singles it out as right."""
    for match in re.finditer(rf'value="{choice.pk}"|choice-{choice.pk}\b', html):
        start = html.rfind("<li", 0, match.start())
        tag = html[start : html.find(">", start) + 1] if start != -1 else ""
        if "correct" in tag:
            return True
    return False


def review_html(*, client, attempt):
    response = client.post(_u("exams:finish", attempt.pk))
    assert response.status_code == 302
    review = client.get(_u("exams:review", attempt.pk))
    assert review.status_code == 200
    return review.content.decode()
