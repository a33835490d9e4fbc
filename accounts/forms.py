import zoneinfo

from django import forms

from accounts.models import Profile

AVATAR_MAX_BYTES = 1024 * 1024
AVATAR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
AVATAR_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


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

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "bio",
            "avatar_url",
            "avatar_upload",
            "time_zone",
            "daily_goal",
            "extra_time",
            "hide_countdown",
            "leaderboard_opt_in",
            "confidence_on",
            "review_cap",
            "target_exam",
            "exam_date",
        ]
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
        if image is not None and image.format not in AVATAR_FORMATS:
            raise forms.ValidationError("Upload a PNG, JPEG, GIF or WebP picture.")
        return upload
