"""The load bench's floor endpoints (bench/floor.py) do what the bench report says they do."""

import pytest
from django.test import Client, override_settings

from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.factories import bank_build

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.floor")]


@pytest.fixture
def attempt(user):
    return services.attempt_start(user=user, exam=bank_build(), mode="practice", count=3)


def test_floor_read_needs_a_signed_in_learner(user_client):
    assert Client().get("/bench/floor/read/").status_code == 302
    response = user_client.get("/bench/floor/read/")
    assert response.status_code == 200 and response.content == b"ok"


def test_floor_write_updates_only_the_learners_own_item(user_client, attempt):
    path = f"/bench/floor/write/{attempt.pk}/2/"
    assert user_client.post(path, {"flagged": "1"}).content == b"ok"
    assert list(attempt.items.order_by("position").values_list("flagged", flat=True)) == [
        False,
        True,
        False,
    ]
    other = Client()
    other.force_login(UserFactory())
    assert other.post(path, {"flagged": "0"}).status_code == 404
    assert attempt.items.get(position=2).flagged


@override_settings(ROOT_URLCONF="billings.urls")
def test_the_product_does_not_serve_the_floor(user_client):
    assert user_client.get("/bench/floor/read/").status_code == 404
