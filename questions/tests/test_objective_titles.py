"""The A+ V15 objectives are seeded with their titles (questions migration 0006)."""

from importlib import import_module

import pytest
from django.apps import apps

from questions.models import Objective

pytestmark = pytest.mark.django_db

migration = import_module("questions.migrations.0006_a_plus_v15_objective_titles")


@pytest.mark.parametrize(("slug", "count"), [("a1201", 27), ("a1202", 36)])
def test_every_v15_objective_has_its_title(slug, count):
    objectives = Objective.objects.filter(domain__exam__slug=slug)
    assert objectives.count() == count
    assert not objectives.filter(title="").exists()


def test_titles_match_the_published_objectives_and_reapply_harmlessly():
    Objective.objects.filter(domain__exam__slug="a1201", code="3.1").update(title="")
    migration.titles_fill(apps, None)
    migration.titles_fill(apps, None)
    objective = Objective.objects.get(domain__exam__slug="a1201", code="3.1")
    assert objective.title == "Compare and contrast display components and attributes"
    assert objective.domain.number == 3 and objective.sort_minor == 1
    assert Objective.objects.filter(domain__exam__slug="a1202", code="4.10").get().title == (
        "Basic concepts related to artificial intelligence (AI)"
    )
    assert Objective.objects.filter(domain__exam__slug="a1201").count() == 27
