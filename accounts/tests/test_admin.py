"""The Django admin for learners: search by email, a fixed query budget, profile inline, and
staff signing in through the site's sign-in (its rate limits and lockout)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 6


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
            "emailaddress_set-TOTAL_FORMS": "0",
            "emailaddress_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="added@example.com")
    assert user.profile is not None


# Signing in to the admin ---------------------------------------------------------------------

STAFF_PASSWORD = PASSWORD


def admin_login_post(client, email, password):
    return client.post(reverse("admin:login"), {"username": email, "password": password})


def site_login_post(client, email, password, next_url="/admin/"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password, "next": next_url}
    )


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True, verified=True)


def test_admin_login_sends_the_visitor_to_the_site_sign_in(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/questions/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/questions/"


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/", "/exams/"])
def test_admin_login_keeps_next_inside_the_admin(client, target):
    response = client.get(reverse("admin:login"), {"next": target})
    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_fifteen_wrong_passwords_then_the_right_one_do_not_open_the_admin(client, staff):
    for _ in range(15):
        admin_login_post(client, staff.email, "wrong-password")
        site_login_post(client, staff.email, "wrong-password")
    assert SESSION_KEY not in client.session
    admin_login_post(client, staff.email, STAFF_PASSWORD)
    response = site_login_post(client, staff.email, STAFF_PASSWORD)
    assert SESSION_KEY not in client.session
    assert response.status_code in (200, 429)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


def test_staff_locked_out_on_the_site_cannot_sign_in_at_the_admin(client, staff):
    for _ in range(5):
        assert site_login_post(client, staff.email, "wrong-password", "/").status_code == 200
    response = admin_login_post(client, staff.email, STAFF_PASSWORD)
    assert SESSION_KEY not in client.session
    response = site_login_post(client, staff.email, STAFF_PASSWORD)
    assert b"Too many failed" in response.content
    assert SESSION_KEY not in client.session


def test_staff_sign_in_through_the_site_and_land_in_the_admin(client, staff):
    response = site_login_post(client, staff.email, STAFF_PASSWORD)
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Signed in already: the admin's login address goes straight back in.
    assert client.get(reverse("admin:login"), {"next": "/admin/"})["Location"] == "/admin/"


def test_a_signed_in_learner_at_the_admin_login_is_told_it_is_for_staff(user_client):
    response = user_client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 403
    assert b"for staff accounts" in response.content


def test_admin_index_has_one_accounts_section(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert html.count(">Accounts</a>") == 1, html.count(">Accounts</a>")


def test_user_change_page_lists_the_email_addresses(admin_client):
    learner = UserFactory(email="both@example.com", verified=True)
    response = admin_client.get(reverse("admin:accounts_user_change", args=[learner.pk]))
    assert 'name="emailaddress_set-0-email"' in response.content.decode()
