"""Writes on learners' accounts."""

from django.db import transaction

from accounts.models import Profile, User

EDITABLE_FIELDS = (
    "display_name",
    "bio",
    "avatar_url",
    "avatar_upload",
    "avatar_key",
    "time_zone",
    "daily_goal",
    "extra_time",
    "hide_countdown",
    "leaderboard_opt_in",
    "confidence_on",
    "review_cap",
    "target_exam",
    "exam_date",
    "email_report_replies",
)
# What the profile form offers: the rest is set by the service (the avatar's storage key).
FORM_FIELDS = [name for name in EDITABLE_FIELDS if name != "avatar_key"]


def _file_delete_on_commit(field_file, name: str) -> None:
    """Remove the stored file ``name`` once the transaction that dropped it has committed."""
    storage = field_file.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def profile_update(*, profile: Profile, data: dict) -> Profile:
    """Apply the learner-editable fields in ``data`` to ``profile`` after full validation.

    A replaced or cleared uploaded avatar is deleted from storage after the save commits.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    old_avatar = ""
    if "avatar_upload" in data and profile.pk:
        # The stored name, not the instance's: a model form has already set the new file on it.
        old_avatar = Profile.objects.values_list("avatar_upload", flat=True).get(pk=profile.pk)
    for name, value in data.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=list(data))
    if old_avatar and old_avatar != profile.avatar_upload.name:
        _file_delete_on_commit(profile.avatar_upload, old_avatar)
    return profile


def profile_countdown_set(*, user: User, hidden: bool) -> None:
    """Remember whether ``user`` hides a simulation's time left (one column: the rest of the
    profile is neither read nor validated again)."""
    Profile.objects.filter(user=user).update(hide_countdown=hidden)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the learner and everything of theirs: profile, attempts and answers, bookmarks,
    XP ledger (and so their leaderboard entry), badges, activity, addresses, authenticators and
    sessions. Their uploaded avatar leaves storage once this commits.

    Nothing else keeps a count of them: the question bank holds no per-learner statistics.
    """
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()
    avatar = user.profile.avatar_upload
    if avatar:
        _file_delete_on_commit(avatar, avatar.name)
    user.delete()
