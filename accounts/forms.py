import uuid

from django import forms

from accounts.models import TIME_ZONE_REGIONS, Profile, geographic_time_zones
from accounts.services import FORM_FIELDS

AVATAR_MAX_BYTES = 1024 * 1024
# The decoded format of an accepted picture, and the extension it is stored (and served) under.
AVATAR_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
AVATAR_FORMATS = set(AVATAR_EXTENSIONS)
AVATAR_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


# Offered first, before every zone grouped by region: where most learners are.
COMMON_TIME_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def _zone_label(name):
    return name.replace("_", " ")


def time_zone_choices():
    """Grouped choices: the common zones, then each region's zones (a select with optgroups;
    typing in it jumps to a name). Only zones ``validate_time_zone`` accepts."""
    zones = geographic_time_zones()
    groups = [("Common", [(name, _zone_label(name)) for name in COMMON_TIME_ZONES])]
    for region in TIME_ZONE_REGIONS:
        names = sorted(name for name in zones if name.startswith(region + "/"))
        groups.append((region, [(name, _zone_label(name).split("/", 1)[1]) for name in names]))
    return groups


class SignupExtraForm(forms.Form):
    """Fields allauth's signup form gains: a display name and the learner's time zone."""

    display_name = forms.CharField(
        max_length=60,
        required=False,
        help_text="Shown on your profile and, if you opt in, the leaderboard.",
    )
    time_zone = forms.TypedChoiceField(
        choices=time_zone_choices,
        initial="UTC",
        # static/js/site.js picks the browser's zone; without JavaScript UTC stays selected.
        widget=forms.Select(attrs={"data-detect": "time-zone"}),
        help_text="Your study day starts at your midnight. Detected from your browser.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Shown again with errors: keep the zone the learner submitted.
            self.fields["time_zone"].widget.attrs.pop("data-detect", None)

    def signup(self, request, user):
        from accounts.services import profile_update

        profile_update(
            profile=user.profile,
            data={
                "display_name": self.cleaned_data.get("display_name", ""),
                "time_zone": self.cleaned_data["time_zone"],
            },
        )


class ProfileForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(choices=time_zone_choices)
    # The model's limits, so that the browser's number field says the same (min 1, not 0).
    daily_goal = forms.IntegerField(
        min_value=1, max_value=500, help_text="Questions per day that count as meeting your goal."
    )

    class Meta:
        model = Profile
        fields = FORM_FIELDS
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "avatar_upload": forms.ClearableFileInput(attrs={"accept": ", ".join(AVATAR_TYPES)}),
            "exam_date": forms.DateInput(attrs={"type": "date"}),
            "review_cap": forms.NumberInput(attrs={"min": 1, "max": 500}),
        }
        help_texts = {
            "daily_goal": "Questions per day that count as meeting your goal.",
            "extra_time": "Applied to timed exam simulations (accommodation).",
            "avatar_url": "An https:// address of a picture. An uploaded picture wins over it.",
            "avatar_upload": "PNG, JPEG, GIF or WebP, at most 1 MB.",
            "target_exam": "Your dashboard plans each day toward it.",
            "exam_date": "The day you sit the exam (YYYY-MM-DD).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form from before the cap existed (or a client that leaves it out) keeps the cap.
        self.fields["review_cap"].required = False

    def clean_review_cap(self):
        value = self.cleaned_data.get("review_cap")
        return self.instance.review_cap if value is None else value

    def clean_avatar_url(self):
        # The Content Security Policy only lets pictures load over https.
        url = self.cleaned_data.get("avatar_url", "")
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError("Use an https:// address.")
        return url

    def clean_avatar_upload(self):
        upload = self.cleaned_data.get("avatar_upload")
        if upload is False:
            # "Clear" ticked: store an empty name, never the string "False".
            return ""
        if upload and hasattr(upload, "size") and upload.size > AVATAR_MAX_BYTES:
            raise forms.ValidationError("The picture must be at most 1 MB.")
        # forms.ImageField has already opened the file with Pillow; only fresh uploads carry it.
        image = getattr(upload, "image", None)
        if image is not None:
            if image.format not in AVATAR_FORMATS:
                raise forms.ValidationError("Upload a PNG, JPEG, GIF or WebP picture.")
            # Named after what Pillow decoded, never after the name the browser sent: a PNG
            # called "poly.pdf" is stored, and so served, as a PNG.
            upload.name = f"{uuid.uuid4().hex}.{AVATAR_EXTENSIONS[image.format]}"
        return upload


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password
