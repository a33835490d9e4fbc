"""Profile creation, time zone validation and avatars."""

import io
import os
import re
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image

from accounts.forms import ProfileForm
from accounts.models import Profile, User
from accounts.services import profile_update
from accounts.tests.factories import PASSWORD, signup

pytestmark = pytest.mark.django_db

VALID = {"display_name": "Ada", "time_zone": "UTC", "daily_goal": 20, "extra_time": 100}


def picture(name="me.png", image_format="PNG", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "steelblue").save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_user_is_rolled_back_when_its_profile_cannot_be_created():
    with (
        mock.patch.object(Profile.objects, "create", side_effect=DatabaseError("boom")),
        pytest.raises(DatabaseError),
    ):
        User.objects.create_user("rollback@example.com", PASSWORD)
    assert not User.objects.filter(email="rollback@example.com").exists()


def test_signup_leaves_no_user_when_its_profile_cannot_be_created(client):
    with (
        mock.patch.object(Profile.objects, "create", side_effect=DatabaseError("boom")),
        pytest.raises(DatabaseError),
    ):
        signup(client, "half@example.com")
    assert not User.objects.filter(email="half@example.com").exists()
    assert not Profile.objects.exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "utc ", "", "Europe/Atlantis"])
def test_model_rejects_an_unknown_time_zone(user, zone):
    user.profile.time_zone = zone
    with pytest.raises(ValidationError) as error:
        user.profile.full_clean()
    assert "time_zone" in error.value.message_dict


def test_service_refuses_an_unknown_time_zone_and_saves_nothing(user):
    with pytest.raises(ValidationError):
        profile_update(profile=user.profile, data={"time_zone": "Nowhere/City"})
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"


@pytest.mark.parametrize(
    ("zone", "ok"), [("America/Argentina/Buenos_Aires", True), ("GMT+3", False)]
)
def test_profile_form_time_zone_validation(user, zone, ok):
    form = ProfileForm({**VALID, "time_zone": zone}, instance=user.profile)
    assert form.is_valid() is ok
    if not ok:
        assert "time_zone" in form.errors


def test_profile_edit_page_works_without_htmx(user_client):
    response = user_client.get(reverse("accounts:profile_edit"))
    assert response.status_code == 200
    assert b"<html" in response.content
    assert b'name="time_zone"' in response.content
    assert b"data-detect" not in response.content  # the saved zone is never overwritten


def test_profile_edit_errors_are_tied_to_their_field(user_client, htmx_headers):
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "time_zone": "Nowhere/City"}, **htmx_headers
    )
    html = response.content.decode()
    assert 'aria-describedby="id_time_zone_error"' in html
    assert 'id="id_time_zone_error"' in html
    assert html.count('id="id_time_zone_error"') == 1


def test_avatar_upload_is_stored_and_shown(user_client, user):
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_upload": picture()}
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.avatar_upload.name.startswith("avatars/")
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert f'src="{user.profile.avatar_upload.url}"' in page


def test_avatar_upload_can_be_cleared(user_client, user):
    user_client.post(reverse("accounts:profile_edit"), {**VALID, "avatar_upload": picture()})
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_upload-clear": "on"}
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    assert user.profile.avatar_upload.name == ""


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("fake.png", b"not a picture at all", content_type="image/png"),
        SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        picture("me.bmp", "BMP"),
    ],
    ids=["not-an-image", "svg", "bmp"],
)
def test_avatar_upload_accepts_only_common_pictures(user_client, user, upload):
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_upload": upload}
    )
    assert response.status_code == 200
    assert "avatar_upload" in response.context["form"].errors
    user.profile.refresh_from_db()
    assert not user.profile.avatar_upload


def noise_png(size):
    data = io.BytesIO()
    Image.effect_noise(size, 100).convert("RGB").save(data, "PNG")
    return data.getvalue()


def test_avatar_upload_over_one_megabyte_is_refused(user_client, user):
    # Just over 1 MB: the body fits the endpoint's limit, the form refuses the picture.
    data = noise_png((600, 600))
    data += b"\0" * (1024 * 1024 + 1 - len(data))
    big = SimpleUploadedFile("big.png", data, content_type="image/png")
    response = user_client.post(reverse("accounts:profile_edit"), {**VALID, "avatar_upload": big})
    assert "at most 1 MB" in str(response.context["form"].errors["avatar_upload"])


@pytest.mark.parametrize("htmx", [False, True])
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(user_client, user, htmx):
    big = SimpleUploadedFile("big.png", noise_png((1400, 1400)), content_type="image/png")
    assert big.size > 2 * 1024 * 1024
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with mock.patch(
        "django.http.multipartparser.MultiPartParser.parse",
        side_effect=AssertionError("the body was parsed"),
    ):
        response = user_client.post(
            reverse("accounts:profile_edit"), {**VALID, "avatar_upload": big}, **headers
        )
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    if htmx:
        assert "at most 1 MB" in response["HX-Trigger"]
    user.profile.refresh_from_db()
    assert not user.profile.avatar_upload


def test_avatar_url_must_be_https(user_client, user):
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_url": "http://example.com/me.png"}
    )
    assert "avatar_url" in response.context["form"].errors
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_url": "https://example.com/me.png"}
    )
    assert response.status_code == 302
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert 'src="https://example.com/me.png"' in page


def test_profile_without_avatar_shows_an_initial(user_client, user):
    profile_update(profile=user.profile, data={"display_name": "grace"})
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert 'avatar-initial" aria-hidden="true">G<' in page


def test_profile_shows_a_broken_streak_as_zero_before_the_next_answer(client):
    import datetime

    from django.utils import timezone

    from accounts.tests.factories import UserFactory

    user = UserFactory()
    profile = user.profile
    profile.current_streak = profile.longest_streak = 5
    profile.last_activity_date = timezone.now().date() - datetime.timedelta(days=4)
    profile.save()
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "<dt>Current streak</dt><dd>0 days</dd>" in html
    assert "<dt>Longest streak</dt><dd>5 days</dd>" in html


def test_profile_dates_read_day_month_year_like_the_rest_of_the_site(user_client, user):
    page = user_client.get(reverse("accounts:profile")).content.decode()
    assert "<dt>Last activity</dt><dd>—</dd>" in page

    Profile.objects.filter(user=user).update(last_activity_date="2026-11-23")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = user_client.get(reverse("accounts:profile"), **headers).content.decode()
        assert "<dt>Last activity</dt><dd>23 Nov 2026</dd>" in page
        assert "Nov. 23" not in page


def test_a_png_named_pdf_is_stored_and_served_as_a_png(user_client, user):
    response = user_client.post(
        reverse("accounts:profile_edit"), {**VALID, "avatar_upload": picture("poly.pdf")}
    )
    assert response.status_code == 302
    user.profile.refresh_from_db()
    name = user.profile.avatar_upload.name
    assert name.startswith("avatars/") and name.endswith(".png"), name
    assert "poly" not in name
    served = user_client.get(user.profile.avatar_upload.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


@pytest.mark.parametrize(("image_format", "extension"), [("JPEG", ".jpg"), ("GIF", ".gif")])
def test_the_stored_extension_follows_the_decoded_format(
    user_client, user, image_format, extension
):
    user_client.post(
        reverse("accounts:profile_edit"),
        {**VALID, "avatar_upload": picture("me.png", image_format=image_format)},
    )
    user.profile.refresh_from_db()
    assert user.profile.avatar_upload.name.endswith(extension)


@pytest.fixture
def save(user_client, user, django_capture_on_commit_callbacks):
    """Post the profile form (its after-commit file deletions run); the stored avatar path."""

    def post(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            user_client.post(reverse("accounts:profile_edit"), {**VALID, **fields})
        user.profile.refresh_from_db()
        return user.profile.avatar_upload.path if user.profile.avatar_upload else None

    return post


def test_replacing_or_clearing_the_avatar_deletes_the_old_file(save):
    first = save(avatar_upload=picture())
    second = save(avatar_upload=picture("again.png"))
    assert second != first
    assert not os.path.exists(first)
    assert os.path.exists(second)
    assert save(**{"avatar_upload-clear": "on"}) is None
    assert not os.path.exists(second)


def test_a_refused_save_keeps_the_stored_avatar(save):
    kept = save(avatar_upload=picture())
    assert save(daily_goal=0, avatar_upload=picture("new.png")) == kept
    assert os.path.exists(kept)


def test_the_daily_goal_field_has_the_servers_limits(user_client):
    html = user_client.get(reverse("accounts:profile_edit")).content.decode()
    field = re.search(r'<input[^>]*name="daily_goal"[^>]*>', html).group(0)
    assert 'min="1"' in field and 'max="500"' in field


@pytest.mark.parametrize("zone", ["Factory", "localtime", "Etc/GMT+3", "US/Pacific", "EST5EDT"])
def test_non_geographic_zones_are_refused(user_client, user, zone):
    response = user_client.post(reverse("accounts:profile_edit"), {**VALID, "time_zone": zone})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "UTC"
    with pytest.raises(ValidationError):
        profile_update(profile=user.profile, data={"time_zone": zone})


def test_the_zone_list_offers_common_zones_first_then_regions(user_client):
    html = user_client.get(reverse("accounts:profile_edit")).content.decode()
    select = html[
        html.index('name="time_zone"') : html.index("</select>", html.index('name="time_zone"'))
    ]
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups[0] == "Common"
    assert {"Europe", "America", "Asia", "Pacific"} <= set(groups)
    assert 'value="Factory"' not in select and 'value="localtime"' not in select
    common = select[: select.index('<optgroup label="', select.index("Common") + 1)]
    assert 'value="America/New_York"' in common and 'value="Europe/London"' in common
    assert len(re.findall(r"<option ", select)) < 540


def test_profile_card_and_dashboard_show_the_same_picture(user_client, user):
    from gamification.services import avatar_choose

    user.profile.avatar_key = ""
    user.profile.save()
    Profile.objects.filter(user=user).update(avatar_key="circle")
    with mock.patch("gamification.selectors.avatar_unlocked_keys", return_value={"circle"}):
        avatar_choose(user=user, key="circle")
    card = user_client.get(reverse("accounts:profile")).content.decode()
    dashboard = user_client.get(reverse("home")).content.decode()
    src = re.search(r'<img class="avatar[^"]*" src="([^"]+)"', dashboard).group(1)
    assert "img/avatars/" in src
    assert f'src="{src}"' in card
