"""Learners: a custom user whose login is the email address, and their profile."""

import functools
import zoneinfo

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from gamification.rules import FREEZES_MAX

# A learner's zone is a place: "Region/City" in one of these regions, or plain UTC. The tz
# database's other names ("Factory", "localtime", "Etc/GMT+3", "US/Pacific", "EST5EDT") are
# aliases, offsets or placeholders that no one picks as where they live.
TIME_ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def geographic_time_zones() -> frozenset[str]:
    """The zones a learner may choose: every "Region/City" of the tz database, and UTC."""
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name.split("/", 1)[0] in TIME_ZONE_REGIONS and "/" in name
    ) | {"UTC"}


def validate_time_zone(value):
    if value not in geographic_time_zones():
        raise ValidationError(f"{value!r} is not a known time zone.", code="invalid_time_zone")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """An operator's account (``createsuperuser``): its address counts as verified.

        Sign-in waits for a verified address (email verification is mandatory), and the
        operator typed this one on the server, so no confirmation link is needed.
        """
        from allauth.account.models import EmailAddress

        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        with transaction.atomic(using=self._db):
            user = self._create_user(email, password, **extra_fields)
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user

    @classmethod
    def normalize_email(cls, email):
        # Email is the login and is unique whatever its letter case: store it lower-case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def save(self, *args, **kwargs):
        """Save the user; a new user gets its Profile in the same transaction."""
        self.email = UserManager.normalize_email(self.email)
        creating = self._state.adding
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if creating:
                Profile.objects.create(user=self)

    @property
    def display_name(self):
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]


class Profile(models.Model):
    class ExtraTime(models.IntegerChoices):
        STANDARD = 100, "Standard time"
        TIME_AND_HALF = 150, "1.5× time"
        DOUBLE = 200, "2× time"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=60, blank=True)
    bio = models.TextField(max_length=1000, blank=True)
    avatar_url = models.URLField("avatar URL", blank=True)
    avatar_upload = models.ImageField(upload_to="avatars/", blank=True)
    avatar_key = models.CharField(
        "chosen avatar", max_length=40, blank=True, help_text="One of the built-in avatars."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    daily_goal = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    extra_time = models.PositiveSmallIntegerField(
        "extra time in simulations", choices=ExtraTime, default=ExtraTime.STANDARD
    )
    hide_countdown = models.BooleanField(default=False)
    leaderboard_opt_in = models.BooleanField("show me on the leaderboard", default=False)
    confidence_on = models.BooleanField(
        "ask how sure I am",
        default=False,
        help_text="Adds Guess / Unsure / Sure to each practice answer. It never changes a "
        "score; it helps spaced review and shows lucky guesses and confident mistakes.",
    )
    review_cap = models.PositiveSmallIntegerField(
        "daily review cap",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="At most this many spaced-review questions a day.",
    )
    target_exam = models.ForeignKey(
        "questions.Exam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="exam I am preparing for",
    )
    exam_date = models.DateField("my exam date", null=True, blank=True)
    email_report_replies = models.BooleanField(
        "email me when staff answer a problem I reported", default=False
    )
    # Staff answers to the learner's reports not yet seen: kept by questions.services and shown
    # on the dashboard, which reads the profile anyway (no query of its own).
    report_replies_unseen = models.PositiveSmallIntegerField(default=0)

    # Progress, kept by the exam and gamification services (never edited by the learner).
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    streak_freezes = models.PositiveSmallIntegerField(default=0)
    xp_total = models.PositiveIntegerField(default=0)
    total_exams_taken = models.PositiveIntegerField(default=0)
    total_questions_answered = models.PositiveIntegerField(default=0)
    last_activity_date = models.DateField(null=True, blank=True)
    # XP of the entries after the leaderboard's window start, kept by database triggers on the
    # XP ledger and aged on read (gamification.weekly); never written from a loaded profile.
    weekly_xp = models.PositiveIntegerField("XP this week", default=0, editable=False)
    DATABASE_KEPT = ("weekly_xp",)

    class Meta:
        indexes = [
            # The leaderboard: its top 20 is the start of this index, a rank a count in it.
            models.Index(
                fields=["-weekly_xp", "user_id"],
                name="accounts_profile_weekly_board",
                condition=models.Q(leaderboard_opt_in=True, weekly_xp__gt=0),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extra_time__in=[100, 150, 200]),
                name="accounts_profile_extra_time_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(daily_goal__gte=1), name="accounts_profile_daily_goal_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(streak_freezes__lte=FREEZES_MAX),
                name="accounts_profile_freezes_max_2",
            ),
            models.CheckConstraint(
                condition=models.Q(review_cap__gte=1), name="accounts_profile_review_cap_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(longest_streak__gte=models.F("current_streak")),
                name="accounts_profile_longest_ge_current",
            ),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    def save(self, **kwargs):
        """A full save of a loaded profile writes every field but the database-kept ones
        (``weekly_xp``): the triggers may have moved them since the profile was read."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.DATABASE_KEPT
            ]
        super().save(**kwargs)

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)
