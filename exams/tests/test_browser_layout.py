"""What a learner sees, measured in a real Chromium at a desktop and a phone width: the results
chart, toasts over the feedback, the countdown preference, autosave at time-up, failed requests."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt
from exams.tests.factories import bank_build, correct_ids
from exams.tests.test_browser import simulation_open
from questions.models import Domain, Exam
from tests.browser import sign_in, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]

# The longest domain names of the current exams, where a chart has the least room.
LONG_NAMES = [
    "Threats, Vulnerabilities, and Mitigations",
    "Security Program Management and Oversight",
    "Network Troubleshooting and Tools for Enterprise Networks",
    "Operating Systems, Security, Software Troubleshooting",
]

BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: el.textContent};
})"""

# The size a label is drawn at: an SVG scaled down to a phone draws its text smaller than its
# computed font-size says, so that size is multiplied by the SVG's scale.
DRAWN_FONT_SIZES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const svg = el.ownerSVGElement;
  const scale = svg ? svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
  return parseFloat(getComputedStyle(el).fontSize) * scale;
})"""


def boxes(page, selector):
    return page.evaluate(BOXES, selector)


def inside(inner, outer):
    return (
        inner["left"] >= outer["left"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["top"] >= outer["top"] - 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


def intersect(a, b):
    return not (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def simulation_finished(user, *, domains=4, per_domain=2, right=False):
    exam = bank_build(weights=(25,) * domains, per_domain=per_domain)
    for domain, name in zip(exam.domains.order_by("number"), LONG_NAMES, strict=False):
        Domain.objects.filter(pk=domain.pk).update(name=name)
    Exam.objects.filter(pk=exam.pk).update(question_count=domains * per_domain)
    attempt = services.attempt_start(user=user, exam=exam, mode="simulation")
    item = attempt.items.get(position=1)
    chosen = correct_ids(item) if right else [item.choice_order[0]]
    services.answer_submit(attempt_id=attempt.pk, user=user, position=1, choice_ids=chosen)
    return services.attempt_finish(attempt_id=attempt.pk, user=user).attempt


@pytest.mark.parametrize("width", WIDTHS)
def test_results_chart_labels_are_whole_readable_and_apart(page, client, live_server, width):
    user = UserFactory()
    attempt = simulation_finished(user)
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/results/")

    chart = boxes(page, ".domain-chart")[0]
    labels = boxes(page, ".domain-chart .bar-label")
    bars = boxes(page, ".domain-chart .bar-track")
    assert len(labels) == 4
    for label, name in zip(labels, LONG_NAMES, strict=True):
        assert name in label["text"], f"{label['text']!r} is cut short at {width}px"
        assert inside(label, chart), f"{name!r} runs out of the chart at {width}px"
        for bar in bars:
            assert not intersect(label, bar), f"{name!r} runs into a bar at {width}px"
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not intersect(a, b), f"{a['text']!r} overlaps {b['text']!r} at {width}px"
    sizes = page.evaluate(DRAWN_FONT_SIZES, ".domain-chart .bar-label")
    assert min(sizes) >= 12, f"labels drawn at {min(sizes):.1f}px at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_results_chart_bars_line_up_whatever_their_figures(page, client, live_server, width):
    """ "1 of 2 (50%)" is wider than "0 of 2 (0%)": the bars still start and end together."""
    user = UserFactory()
    attempt = simulation_finished(user, right=True)
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/results/")

    values = {box["text"] for box in boxes(page, ".domain-chart .bar-value")}
    assert len({len(text) for text in values}) > 1, values
    bars = boxes(page, ".domain-chart .bar-svg")
    assert len(bars) == 4
    assert len({(round(bar["left"]), round(bar["right"])) for bar in bars}) == 1, bars


def test_a_toast_never_covers_the_explanations_on_a_phone(page, client, live_server):
    """Answering meets the daily goal, which the server announces as a toast."""
    user = UserFactory()
    user.profile.daily_goal = 1
    user.profile.save(update_fields=["daily_goal"])
    exam = bank_build(weights=(100,), per_domain=2)
    attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=2)
    item = attempt.items.get(position=1)
    long_text = "This option is explained at length so that the text fills a phone screen. " * 12
    item.question.choices.update(explanation=long_text)
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()

    page.locator("#card input[data-key='1']").check()
    page.get_by_role("button", name="Check answer").click()
    toast = page.locator(".toast").filter(has_text="Daily goal met")
    expect(toast).to_be_visible()
    expect(page.locator(".feedback h3")).to_be_focused()
    toast_box = boxes(page, ".toast")[0]
    for explanation in boxes(page, ".feedback .explanations li"):
        assert not intersect(toast_box, explanation), (toast_box, explanation)


def test_hide_time_left_survives_a_reload(page, client, live_server):
    problems = watch_console(page)
    simulation_open(page, client, live_server)
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_visible()
    with page.expect_response(re.compile(r"/countdown/$")) as sent:
        page.get_by_role("button", name="Hide time left").click()
    assert sent.value.status == 204
    expect(countdown).to_be_hidden()
    expect(page.get_by_role("button", name="Show time left")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Question 1 of 3")).to_be_visible()
    expect(countdown).to_be_hidden()
    with page.expect_response(re.compile(r"/countdown/$")):
        page.get_by_role("button", name="Show time left").click()
    expect(countdown).to_be_visible()
    page.reload()
    expect(countdown).to_be_visible()
    expect(page.get_by_role("button", name="Hide time left")).to_be_visible()
    assert problems == []


def test_time_up_submits_the_selection_on_screen(page, client, live_server):
    """A choice made without pressing Save is on the server already when the time runs out."""
    page.clock.install()
    # Under a minute left, so the countdown reaches zero before its first re-sync.
    _, attempt = simulation_open(page, client, live_server, seconds_left=30)
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()
    with page.expect_response(re.compile(r"/q/1/answer/$")) as saved:
        page.keyboard.press("3")  # chosen, not saved by a button
    assert saved.value.ok
    item = attempt.items.get(position=1)
    assert item.selected == [item.choice_order[2]]

    # The time runs out: the deadline passes on the server and the page's clock reaches zero.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    page.clock.run_for(30_000 + 2_000)  # to zero, then the page goes back to the attempt
    expect(page).to_have_url(re.compile(r"/results/$"))
    expect(page.get_by_text("Time is up: your attempt was submitted as it stood.")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    item.refresh_from_db()
    assert item.selected == [item.choice_order[2]] and item.answered_at is not None


@pytest.mark.parametrize(
    ("failure", "says"),
    [("abort", "you seem to be offline"), ("500", "The server had a problem")],
)
def test_a_failed_answer_says_so_and_keeps_the_form(page, client, live_server, failure, says):
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=2)
    attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=2)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()

    def fail(route):
        if failure == "abort":
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=500, body="Server Error", content_type="text/html")

    page.route(re.compile(r"/q/1/answer/$"), fail)
    card = page.locator("#card")
    card.locator("input[data-key='2']").check()
    card.get_by_role("button", name="Check answer").click()
    expect(page.locator(".toast").filter(has_text=says)).to_be_visible()
    expect(card.get_by_role("button", name="Check answer")).to_be_visible()
    expect(card.locator("input[data-key='2']")).to_be_checked()
    assert card.locator(".feedback h3").count() == 0
    assert attempt.items.get(position=1).answered_at is None

    page.unroute(re.compile(r"/q/1/answer/$"))  # back online: the same form goes through
    card.get_by_role("button", name="Check answer").click()
    expect(card.locator(".feedback h3")).to_have_text(re.compile(r"Correct\.|Not quite"))


def test_review_filter_survives_a_reload(page, client, live_server):
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=3)
    attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=3)
    first = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=user, position=1, choice_ids=[first.choice_order[0]]
    )
    services.item_flag(attempt_id=attempt.pk, user=user, position=2, flagged=True)
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/review/")
    expect(page.locator(".review-item")).to_have_count(3)
    tabs = page.locator(".review-filters")
    tabs.get_by_role("link", name="Flagged").click()
    page.wait_for_url(re.compile(r"\?show=flagged$"))
    expect(page.locator(".review-item")).to_have_count(1)
    page.reload()
    expect(page.locator(".review-item")).to_have_count(1)
    expect(tabs.locator("[aria-current='page']")).to_have_text("Flagged")
    page.go_back()
    page.wait_for_url(re.compile(r"/review/$"))
    expect(page.locator(".review-item")).to_have_count(3)


# Every visible occurrence of ``code`` on the page: whether its element may wrap, and on how
# many lines the code itself is drawn.
CODE_LINES = """(code) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(code);
    const parent = node.parentElement;
    if (at === -1 || parent.closest('svg, .visually-hidden, caption, script')) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + code.length);
    const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
    found.push({where: parent.outerHTML.slice(0, 80), lines: tops.size,
                wraps: !['nowrap', 'pre'].includes(getComputedStyle(parent).whiteSpace)});
  }
  return found;
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_exam_codes_never_break_across_lines_on_a_phone(page, client, live_server, width):
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=4)
    Exam.objects.filter(pk=exam.pk).update(
        code="ZZ9-901", name="CompTIA Security+ certification exam", question_count=2
    )
    done = services.attempt_start(user=user, exam=exam, mode="practice", count=2)
    item = done.items.get(position=1)
    services.answer_submit(
        attempt_id=done.pk, user=user, position=1, choice_ids=item.choice_order[:1]
    )
    services.attempt_finish(attempt_id=done.pk, user=user)
    simulation = services.attempt_start(user=user, exam=exam, mode="simulation")
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": width, "height": 800})
    paths = [
        "/",
        "/exams/",
        f"/exams/{exam.slug}/start/simulation/",
        f"/exams/attempts/{simulation.pk}/q/1/",
        f"/exams/attempts/{simulation.pk}/submit/",
        f"/exams/attempts/{done.pk}/results/",
        f"/exams/attempts/{done.pk}/review/",
        "/exams/history/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        found = page.evaluate(CODE_LINES, "ZZ9-901")
        assert found, f"{path} does not show the exam code"
        for place in found:
            assert place["lines"] == 1 and not place["wraps"], (path, place)


def test_keyboard_chooses_a_sixth_option_and_f_still_flags(page, client, live_server):
    """Digits choose, so F stays the flag key on a six-option question (whose last is F)."""
    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=2, n_choices=6)
    attempt = services.attempt_start(user=user, exam=exam, mode="practice", count=2)
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
    card = page.locator("#card")
    expect(card.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    hint = page.locator(".keys").inner_text()
    assert "1–9" in hint and "F flag" in hint and "A–E" not in hint
    page.keyboard.press("6")
    expect(card.locator("input[data-key='6']")).to_be_checked()
    assert "F" in card.locator("label[for]").nth(5).inner_text()
    page.keyboard.press("f")
    expect(card.locator("button[data-flag][aria-pressed='true']")).to_be_visible()
    assert attempt.items.get(position=1).flagged


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bookmarks_answer_takes_the_rows_width_and_keeps_its_numbers(page, live_server, width):
    from exams.models import Bookmark
    from questions.tests.factories import pbq_create

    user = UserFactory()
    exam = bank_build(weights=(100,), per_domain=1)
    Bookmark.objects.create(user=user, question=exam.questions.first())
    Bookmark.objects.create(user=user, question=pbq_create(exam=exam, kind="order", items=3))
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/exams/bookmarks/")
    for summary in page.locator("summary", has_text="Answer and explanations").all():
        summary.click()

    rows = boxes(page, ".bookmark-list > li")
    answers = boxes(page, ".bookmark-answer")
    assert len(rows) == len(answers) == 2
    for row, answer in zip(rows, answers, strict=True):
        assert answer["right"] - answer["left"] >= 0.95 * (row["right"] - row["left"]), width
    numbered = page.locator(".pbq-sequence-list li").first
    assert numbered.evaluate("el => getComputedStyle(el).display") == "list-item"
    assert numbered.evaluate("el => getComputedStyle(el).borderTopStyle") == "none"
