"""Locust users for ``bench/locust_answers.py`` (which prepares the plan and runs Locust).

Each user takes one learner of the plan (a signed-in session, a CSRF token and a practice
attempt with the choices to send) and posts, as fast as it can:

- ``AnswerLearner``: the answers of its attempt, one question after another, as htmx does
  (the card comes back); every answer that gets a 2xx is written to the ledger, which the
  runner checks against the database (each stored exactly once, with the choice sent);
- ``FloorLearner``: the bench's floor write (``bench/floor.py``) on the same items.

The plan and the ledger are files named by ``BILLINGS_LOCUST_PLAN`` and
``BILLINGS_LOCUST_LEDGER``.
"""

import itertools
import json
import os

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BILLINGS_LOCUST_PLAN"]).read())  # noqa: SIM115
LEARNERS = itertools.count()
LEDGER: list[list] = []


class Learner(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self):
        self.learner = PLAN["learners"][next(LEARNERS) % len(PLAN["learners"])]
        self.client.cookies.set("sessionid", self.learner["session"])
        self.client.cookies.set("csrftoken", self.learner["csrf"])
        self.headers = {"X-CSRFToken": self.learner["csrf"], "Referer": self.host + "/"}
        self.steps = iter(self.learner["items"])

    def step(self, *, again: bool):
        """The next (position, choices) of the plan; at the end start again or stop."""
        try:
            return next(self.steps)
        except StopIteration:
            if not again:
                raise StopUser() from None
            self.steps = iter(self.learner["items"])
            return next(self.steps)


class AnswerLearner(Learner):
    @task
    def answer(self):
        position, choices = self.step(again=False)
        attempt = self.learner["attempt"]
        response = self.client.post(
            f"/exams/attempts/{attempt}/q/{position}/answer/",
            data={"choice": choices},
            headers={**self.headers, "HX-Request": "true"},
            name="answer",
        )
        if 200 <= response.status_code < 300:
            LEDGER.append([attempt, position, sorted(choices)])


class FloorLearner(Learner):
    @task
    def floor_write(self):
        position, _ = self.step(again=True)
        self.client.post(
            f"/bench/floor/write/{self.learner['attempt']}/{position}/",
            data={"flagged": str(position % 2)},
            headers=self.headers,
            name="floor write",
        )


@events.test_stop.add_listener
def ledger_write(**_kwargs):
    with open(os.environ["BILLINGS_LOCUST_LEDGER"], "w") as out:
        json.dump(LEDGER, out)
