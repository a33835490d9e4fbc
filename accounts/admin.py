from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    readonly_fields = (
        "current_streak",
        "longest_streak",
        "streak_freezes",
        "xp_total",
        "total_exams_taken",
        "total_questions_answered",
        "last_activity_date",
    )


class EmailAddressInline(admin.TabularInline):
    """The learner's addresses, on the user's page: allauth's own "Accounts" section would be
    a second one of that name on the admin index (see the unregister below)."""

    model = EmailAddress
    extra = 0
    fields = ("email", "verified", "primary")


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [ProfileInline, EmailAddressInline]
    list_display = ("email", "display_name_column", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("profile",)
    search_fields = ("email", "profile__display_name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description="display name", ordering="profile__display_name")
    def display_name_column(self, obj):
        return obj.profile.display_name


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "display_name",
        "time_zone",
        "current_streak",
        "xp_total",
        "last_activity_date",
    )
    list_filter = ("time_zone", "leaderboard_opt_in", "extra_time")
    list_select_related = ("user",)
    search_fields = ("user__email", "display_name")
    readonly_fields = ProfileInline.readonly_fields


# allauth registers its EmailAddress under its own app, also called "Accounts"; its rows are
# edited on the user's page instead (EmailAddressInline).
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)
