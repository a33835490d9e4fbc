import zoneinfo

from django import forms

from accounts.models import Profile


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
        help_text="Your study day starts at your midnight. Detected from your browser.",
    )

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
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "daily_goal": "Questions per day that count as meeting your goal.",
            "extra_time": "Applied to timed exam simulations (accommodation).",
            "avatar_upload": "PNG, JPEG, GIF or WebP, at most 1 MB.",
        }

    def clean_avatar_upload(self):
        upload = self.cleaned_data.get("avatar_upload")
        if upload and hasattr(upload, "size") and upload.size > 1024 * 1024:
            raise forms.ValidationError("The picture must be at most 1 MB.")
        return upload
