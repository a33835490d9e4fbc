"""Performance-based questions in Chromium: ordering and matching by mouse (drag), keyboard
and without JavaScript, on a phone and a desktop, and axe-core on their pages."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.factories import bank_build
from questions.tests.factories import pbq_create
from tests.browser import page_open, sign_in, watch_console
from tests.test_a11y import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]


def practice_with(user, kind, **kwargs):
    exam = bank_build(weights=(100,), per_domain=0, objectives_per_domain=1)
    pbq_create(exam=exam, kind=kind, exhibit="| Host | State |\n| PC-1 | up |", **kwargs)
    return services.attempt_start(user=user, exam=exam, mode="practice", count=1)


def sized(browser, width, *, javascript=True, bypass_csp=False):
    page = page_open(browser, width=width, java_script_enabled=javascript, bypass_csp=bypass_csp)
    return page.context, page


def attempt_open(page, live_server, user, attempt, where="q/1/"):
    """Sign ``user`` in on ``page`` and open ``where`` in ``attempt`` (its first question)."""
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/{where}")


def item_texts(page):
    return [text.strip() for text in page.locator("[data-pbq-item] .pbq-text").all_inner_texts()]


@pytest.mark.parametrize("width", WIDTHS)
def test_order_items_by_dragging_them(browser, client, live_server, width):
    context, page = sized(browser, width)
    problems = watch_console(page)
    user = UserFactory()
    attempt = practice_with(user, "order", items=4, key="DCBA")
    attempt_open(page, live_server, user, attempt)
    expect(page.locator(".pbq-js-hint").first).to_be_visible()

    wanted = ["Item D", "Item C", "Item B", "Item A"]
    for index, text in enumerate(wanted):
        if item_texts(page)[index] == text:
            continue
        source = page.locator("[data-pbq-item]", has_text=text).locator("[data-pbq-handle]")
        target = page.locator("[data-pbq-item]").nth(index)
        source.drag_to(target, target_position={"x": 20, "y": 3})
    assert item_texts(page) == wanted
    for index, text in enumerate(wanted, start=1):
        item = page.locator("[data-pbq-item]", has_text=text)
        expect(item.locator("select")).to_have_value(str(index))

    page.get_by_role("button", name="Check answer").click()

    expect(page.locator(".feedback-result")).to_have_text("Correct: every item in its place.")
    expect(page.locator(".pbq-results tbody tr.explain-correct")).to_have_count(4)
    assert problems == []
    context.close()


def test_a_drag_held_at_the_bottom_of_the_window_scrolls_to_a_place_off_screen(
    browser, client, live_server
):
    """On a short phone screen the last place is below the fold: holding the dragged item at
    the window's bottom edge scrolls the page, and the item can be dropped there."""
    page = page_open(browser, width=390, height=480)
    problems = watch_console(page)
    user = UserFactory()
    attempt = practice_with(user, "order", items=6, key="ABCDEF")
    attempt_open(page, live_server, user, attempt)
    dragged = item_texts(page)[0]
    handle = page.locator("[data-pbq-item]").first.locator("[data-pbq-handle]")
    handle.scroll_into_view_if_needed()
    last = page.locator("[data-pbq-item]").last
    assert not last.is_visible() or last.bounding_box()["y"] > 480  # below the fold
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 10, 476, steps=5)  # held at the bottom edge
    before = page.evaluate("window.scrollY")
    for _ in range(50):  # the page scrolls by itself while the drag is held there
        page.wait_for_timeout(60)
        if page.evaluate("window.scrollY") > before + 150:
            break
    assert page.evaluate("window.scrollY") > before + 150
    target = last.bounding_box()
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] - 4, steps=5)
    page.mouse.up()

    texts = item_texts(page)
    assert texts[-1] == dragged and sorted(texts) == [f"Item {c}" for c in "ABCDEF"]
    expect(page.locator("[data-pbq-item]", has_text=dragged).locator("select")).to_have_value("6")
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_match_rows_by_dragging_values_then_feedback_per_row(browser, client, live_server, width):
    context, page = sized(browser, width)
    problems = watch_console(page)
    user = UserFactory()
    attempt = practice_with(user, "match", items=3, key=["Allow", "Deny", "Deny"])
    attempt_open(page, live_server, user, attempt)

    for row, value in (("Row A", "Allow"), ("Row B", "Deny"), ("Row C", "Allow")):
        chip = page.locator("[data-pbq-chip]", has_text=value)
        chip.drag_to(page.locator("[data-pbq-row]", has_text=row))
    expect(page.get_by_label("Row C: Allow")).to_be_checked()
    page.get_by_role("button", name="Check answer").click()

    expect(page.locator(".feedback-result")).to_have_text(
        "Partly right: 2 of 3 rows with their right value."
    )
    expect(page.locator(".pbq-results")).to_contain_text("Row C takes Deny.")
    assert problems == []
    context.close()


def touch_drag(page, source, target, *, target_y: float | None = None, steps: int = 8) -> None:
    """Drag ``source`` onto ``target`` with a finger: Chromium's touch events (start, moves,
    end) through the DevTools protocol, which the page sees as pointer events of type touch.
    Had the browser taken the gesture for a pan, it would cancel the pointer and nothing would
    move."""
    target.scroll_into_view_if_needed()
    source.scroll_into_view_if_needed()
    cdp = page.context.new_cdp_session(page)
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1 = end["x"] + min(20, end["width"] / 2)
    y1 = end["y"] + (end["height"] / 2 if target_y is None else target_y)

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for step in range(1, steps + 1):
        touch("touchMove", x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
    touch("touchEnd", x1, y1)
    cdp.detach()


def test_order_and_match_by_dragging_with_a_finger_on_a_phone(browser, client, live_server):
    page = page_open(browser, width=390, height=800, has_touch=True, is_mobile=True)
    problems = watch_console(page)
    user = UserFactory()
    order = practice_with(user, "order", items=4, key="DCBA")
    attempt_open(page, live_server, user, order)
    expect(page.locator(".pbq-js-hint").first).to_be_visible()
    first = item_texts(page)[0]
    last = item_texts(page)[-1]

    touch_drag(
        page,
        page.locator("[data-pbq-item]", has_text=last).locator("[data-pbq-handle]"),
        page.locator("[data-pbq-item]").first,
        target_y=3,
    )

    assert item_texts(page)[:2] == [last, first]
    expect(page.locator("[data-pbq-item]", has_text=last).locator("select")).to_have_value("1")

    match = practice_with(UserFactory(), "match", items=3, key=["Allow", "Deny", "Deny"])
    match.user = user
    match.save(update_fields=["user"])
    page.goto(f"{live_server.url}/exams/attempts/{match.pk}/q/1/")
    touch_drag(
        page,
        page.locator("[data-pbq-chip]", has_text="Deny"),
        page.locator("[data-pbq-row]", has_text="Row B"),
    )
    expect(page.get_by_label("Row B: Deny")).to_be_checked()
    assert problems == []
    page.context.close()


def test_match_by_keyboard_with_value_selects(browser, client, live_server):
    context, page = sized(browser, 1280)
    user = UserFactory()
    values = ("SSH", "SMTP", "DNS", "HTTPS", "RDP")
    attempt = practice_with(user, "match", items=2, values=values, key=["DNS", "RDP"])
    attempt_open(page, live_server, user, attempt)

    page.get_by_label("Row A").focus()
    page.keyboard.type("DNS")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Row B")).to_be_focused()
    page.keyboard.type("RDP")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check answer")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".feedback-result")).to_have_text("Correct: every row has its right value.")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_order_without_javascript_by_selects(browser, client, live_server, width):
    context, page = sized(browser, width, javascript=False)
    user = UserFactory()
    attempt = practice_with(user, "order", items=3, key="CAB")
    attempt_open(page, live_server, user, attempt)
    expect(page.locator("[data-pbq-handle]").first).to_be_hidden()

    page.get_by_label("Item C").select_option("1")
    page.get_by_label("Item A").select_option("2")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".message-error")).to_have_text("Give every item a place: 2 of 3 done.")
    expect(page.get_by_label("Item A")).to_have_value("2")
    page.get_by_label("Item B").select_option("3")
    page.get_by_role("button", name="Check answer").click()

    expect(page.locator(".feedback-result")).to_have_text("Correct: every item in its place.")
    expect(page.locator(".exhibit-table")).to_be_visible()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_pbq_pages_have_no_serious_axe_violations(browser, client, live_server, width):
    from tests.test_a11y import AXE

    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/a11y`.")
    context, page = sized(browser, width, bypass_csp=True)
    user = UserFactory()
    order = practice_with(user, "order", items=5)
    grid = practice_with(user, "match", items=3)
    selects = practice_with(user, "match", items=3, values=("A1", "B2", "C3", "D4", "E5"))
    sign_in(page, live_server, user)
    problems = []
    for where, attempt in (("order", order), ("radio grid", grid), ("selects", selects)):
        page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/q/1/")
        page.wait_for_load_state("networkidle")
        problems.append(describe(where, axe_violations(page, AXE)))
    page.goto(f"{live_server.url}/exams/attempts/{order.pk}/q/1/")
    for index in range(5):
        page.locator("[data-pbq-item] select").nth(index).select_option(str(index + 1))
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".pbq-results")).to_be_visible()
    problems.append(describe("order feedback", axe_violations(page, AXE)))
    services.attempt_finish(attempt_id=order.pk, user=user)
    page.goto(f"{live_server.url}/exams/attempts/{order.pk}/review/")
    problems.append(describe("review", axe_violations(page, AXE)))
    page.goto(f"{live_server.url}/exams/attempts/{order.pk}/results/")
    problems.append(describe("results", axe_violations(page, AXE)))
    assert not any(problems), "\n".join(p for p in problems if p)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_order_items_text_keeps_the_room_and_its_select_stays_narrow(
    browser, client, live_server, width
):
    """A long item reads on a line or two; the place select needs only a few characters."""
    from questions.models import Choice

    context, page = sized(browser, width)
    user = UserFactory()
    attempt = practice_with(user, "order", items=4)
    Choice.objects.filter(question_id=attempt.items.get().question_id).update(
        text="Routing table, ARP cache, process table and system memory (RAM)"
    )
    attempt_open(page, live_server, user, attempt)

    for item in page.locator("[data-pbq-item]").all():
        text = item.locator(".pbq-text").bounding_box()
        select = item.locator("select").bounding_box()
        assert select["width"] <= 12 * 16, (width, select)
        assert text["width"] > select["width"], (width, text, select)
    context.close()


def test_the_review_of_a_match_with_long_values_fits_a_phone(browser, client, live_server):
    values = ("Misconfiguration", "Authentication")  # long words that cannot break
    context, page = sized(browser, 390)
    user = UserFactory()
    attempt = practice_with(user, "match", items=3, values=values)
    services.answer_submit(
        attempt_id=attempt.pk,
        user=user,
        position=1,
        elements={"value-1": "1", "value-2": "2", "value-3": "1"},
    )
    services.attempt_finish(attempt_id=attempt.pk, user=user)
    attempt_open(page, live_server, user, attempt, "review/")

    expect(page.locator(".pbq-results")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
