"""The read-only attempts admin: staff can look, nobody can change."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Attempt
from exams.tests.factories import bank_build, correct_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    learner = UserFactory()
    exam = bank_build(per_domain=4)
    attempt = services.attempt_start(user=learner, exam=exam, mode="practice", count=3)
    item = attempt.items.get(position=1)
    services.answer_submit(
        attempt_id=attempt.pk, user=learner, position=1, choice_ids=correct_ids(item)
    )
    services.attempt_finish(attempt_id=attempt.pk, user=learner)
    return Attempt.objects.get(pk=attempt.pk)


def test_staff_see_an_attempt_and_its_items_and_cannot_change_them(admin_client, attempt):
    listing = admin_client.get(reverse("admin:exams_attempt_changelist"))
    assert listing.status_code == 200
    assert attempt.user.email in listing.content.decode()

    url = reverse("admin:exams_attempt_change", args=[attempt.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<td class="field-position">') == 3
    form = html.split('id="attempt_form"', 1)[1].split("</form>", 1)[0]
    inputs = re.findall(r"<(?:input|select|textarea)\b[^>]*>", form)
    editable = [tag for tag in inputs if 'type="hidden"' not in tag and "csrfmiddleware" not in tag]
    assert editable == []
    assert 'name="_save"' not in html

    # Nothing can be posted, added or deleted.
    assert admin_client.post(url, {"status": "abandoned"}).status_code == 403
    assert admin_client.get(reverse("admin:exams_attempt_add")).status_code == 403
    delete = reverse("admin:exams_attempt_delete", args=[attempt.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
