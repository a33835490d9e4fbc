"""Page weight of the quiz, measured in Chromium: first load under 60 KB, each answer swap 6 KB.

Sizes are gzip-compressed sizes. The test server does not compress (production's proxy or
WhiteNoise does), so each body is compressed here with ``gzip.compress`` at level 6, the usual
setting of nginx and WhiteNoise. Set BILLINGS_PAGE_WEIGHT_JSON=path to keep the figures
(bench/page_weight.py does, and writes them to docs/BENCHMARKS.md).
"""

import gzip
import json
import os
import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams.models import Attempt
from exams.tests.factories import bank_build
from tests.browser import page_open, sign_in
from tests.conftest import attempt_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_LOAD_BUDGET = 60 * 1024
SWAP_BUDGET = 6 * 1024
COUNTED = ("document", "stylesheet", "script")


def compressed(body: bytes, headers: dict) -> int:
    if headers.get("content-encoding") in ("gzip", "br", "deflate"):
        return len(body)  # already compressed on the wire
    return len(gzip.compress(body, compresslevel=6))


def first_load(page, url):
    """(total compressed bytes, [(kind, path, raw, compressed)]) of the first load of url."""
    responses = []

    def collect(response):
        responses.append(response)

    page.on("response", collect)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", collect)
    rows = []
    for response in responses:
        kind = response.request.resource_type
        if kind not in COUNTED:
            continue
        body = response.body()
        path = re.sub(r"^https?://[^/]+", "", response.url)
        rows.append((kind, path, len(body), compressed(body, response.headers)))
    return sum(row[3] for row in rows), rows


def test_question_page_and_answer_swaps_stay_light(browser, live_server):
    exam = bank_build(weights=(60, 40), questions=5)
    user = UserFactory()
    figures = {}
    for mode in ("practice", "simulation"):
        attempt = attempt_start(user, exam, mode)
        page = page_open(browser)
        context = page.context
        sign_in(context, live_server, user)
        url = live_server.url + reverse("exams:question", args=[attempt.pk, 1])
        total, rows = first_load(page, url)
        swaps = []
        for position in range(1, attempt.question_count + 1):
            if mode == "practice" and position > 1:
                with page.expect_response(re.compile(r"/q/\d+/$")):
                    page.locator("[data-next]").click()
            page.locator("#card input[name=choice]").first.check()
            # A simulation saves the tick at once (autosave, 204); the swap is the Save press.
            with page.expect_response(
                lambda r: (
                    r.url.endswith("/answer/") and "autosave" not in (r.request.post_data or "")
                )
            ) as info:
                page.locator("[data-submit-answer]").click()
            response = info.value
            assert response.status == 200
            assert response.request.headers.get("hx-request") == "true", "not an htmx swap"
            swaps.append(compressed(response.body(), response.headers))
        context.close()
        assert Attempt.objects.get(pk=attempt.pk).items.filter(answered_at=None).count() == 0
        figures[mode] = {"first_load": total, "resources": rows, "swaps": swaps}
        print(f"\n{mode}: first load {total / 1024:.1f} KB compressed")
        for kind, path, raw, packed in rows:
            print(f"  {kind:10} {path:60} {raw / 1024:6.1f} KB raw {packed / 1024:6.1f} KB gz")
        print(
            f"  answer swaps: max {max(swaps) / 1024:.2f} KB, {[round(s / 1024, 2) for s in swaps]}"
        )
    out = os.environ.get("BILLINGS_PAGE_WEIGHT_JSON")
    if out:
        with open(out, "w") as handle:
            json.dump(figures, handle, indent=2)
    for mode, data in figures.items():
        assert data["first_load"] < FIRST_LOAD_BUDGET, (mode, data["first_load"])
        assert max(data["swaps"]) < SWAP_BUDGET, (mode, data["swaps"])
