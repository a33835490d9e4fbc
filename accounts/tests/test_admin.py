"""The Django admin for learners: search by email, a fixed query budget, profile inline."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 6


@pytest.fixture
def admin_client(client):
    admin = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize("learners", [3, 30])
def test_user_changelist_search_by_email_within_a_fixed_budget(
    admin_client, django_assert_max_num_queries, learners
):
    UserFactory.create_batch(learners)
    UserFactory(email="needle@example.org")
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "NEEDLE@"})
    assert response.status_code == 200
    shown = [user.email for user in response.context["cl"].result_list]
    assert shown == ["needle@example.org"]


@pytest.mark.parametrize("learners", [3, 30])
def test_user_changelist_lists_every_learner_within_a_fixed_budget(
    admin_client, django_assert_max_num_queries, learners
):
    UserFactory.create_batch(learners)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert response.context["cl"].result_count == learners + 1


def test_user_change_page_shows_the_profile_inline(admin_client):
    learner = UserFactory(email="inline@example.com")
    learner.profile.display_name = "Inline Ivy"
    learner.profile.save()
    response = admin_client.get(reverse("admin:accounts_user_change", args=[learner.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="profile-0-display_name"' in html
    assert 'value="Inline Ivy"' in html
    assert 'name="profile-0-time_zone"' in html


def test_profile_changelist_search_by_email(admin_client, django_assert_max_num_queries):
    UserFactory.create_batch(10)
    UserFactory(email="findme@example.com")
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = admin_client.get(reverse("admin:accounts_profile_changelist"), {"q": "findme"})
    assert [str(p.user) for p in response.context["cl"].result_list] == ["findme@example.com"]


def test_admin_can_add_a_user_with_a_lower_cased_email(admin_client):
    from accounts.models import User

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Added@Example.com",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-9",
            "password2": "a-long-enough-passphrase-9",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="added@example.com")
    assert user.profile is not None
