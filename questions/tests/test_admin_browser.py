"""The question admin in a real Chromium: the choices inline fits a 1280 px screen, and the list's
rows work with the admin's actions."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from exams.tests.factories import bank_build
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each field of the choices table must lie inside the inline and the window, and no box around
# the table may hide part of it (scrollWidth beyond clientWidth where overflow is not visible).
CLIPPED = """() => {
  const group = document.querySelector('#choices-group');
  const frame = group.getBoundingClientRect();
  const fields = Array.from(group.querySelectorAll(
    'tr.form-row:not(.empty-form) select, tr.form-row:not(.empty-form) textarea, ' +
    'tr.form-row:not(.empty-form) input:not([type=hidden])'));
  const hiding = [];
  for (let el = group.querySelector('table'); el && el !== document.body; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth) {
      hiding.push(`${el.tagName}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return {
    hiding: hiding,
    page: document.documentElement.scrollWidth - window.innerWidth,
    count: fields.length,
    clipped: fields.filter((el) => {
      const r = el.getBoundingClientRect();
      return r.left < frame.left - 0.5 || r.right > frame.right + 0.5
        || r.right > window.innerWidth;
    }).map((el) => el.name),
  };
}"""


@pytest.mark.parametrize("form", ["change", "add"])
def test_choices_table_shows_every_column_at_1280px(page, client, live_server, form):
    staff = UserFactory(is_staff=True, is_superuser=True)
    exam = bank_build(weights=(100,), per_domain=1)
    question = exam.questions.get()
    sign_in(page, live_server, staff)
    page.set_viewport_size({"width": 1280, "height": 900})
    path = f"{question.pk}/change/" if form == "change" else "add/"
    page.goto(f"{live_server.url}/admin/questions/question/{path}")
    expect(page.locator("#choices-group")).to_be_visible()
    measured = page.evaluate(CLIPPED)
    assert measured["count"] >= 4 * 4, measured
    assert measured["hiding"] == [], measured
    assert measured["page"] <= 0, measured
    assert measured["clipped"] == [], measured


def test_the_question_list_rows_work_with_the_admins_actions(page, live_server):
    """The list's rows are made by questions.admin_rows: Django's admin script still finds
    their checkboxes (a ticked row is highlighted, the counter counts it) and an action on
    the ticked rows reaches those questions only."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    exam = bank_build(weights=(100,), per_domain=3)
    first, _second, third = exam.questions.order_by("external_id")
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/admin/questions/question/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)

    for question in (first, third):
        page.get_by_role("checkbox", name=f"Select this object for an action - {question}").check()
    expect(rows.nth(0)).to_have_class("selected")
    expect(rows.nth(1)).not_to_have_class("selected")
    expect(page.locator(".action-counter")).to_contain_text("2 of 3 selected")
    page.locator("select[name=action]").select_option("retire")
    page.get_by_role("button", name="Run").click()

    expect(page.locator(".messagelist")).to_contain_text("Retired 2 question(s).")
    assert list(exam.questions.order_by("external_id").values_list("is_active", flat=True)) == [
        False,
        True,
        False,
    ]
    page.locator("#result_list tbody tr th a").first.click()
    expect(page).to_have_url(f"{live_server.url}/admin/questions/question/{first.pk}/change/")
