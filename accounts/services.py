"""Writes on learners' accounts."""

from django.db import transaction

from accounts.models import Profile

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
)


@transaction.atomic
def profile_update(*, profile: Profile, data: dict) -> Profile:
    """Apply the learner-editable fields in ``data`` to ``profile`` after full validation."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=list(data))
    return profile
