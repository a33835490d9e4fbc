"""Attempts in the admin, to look at and never to change.

An attempt is the learner's record: its score, XP and badges were derived from it by the exam
and gamification services, so an edit here would leave them disagreeing. Staff can list,
search and open an attempt with its items; nothing can be added, changed or deleted.
"""

from django.contrib import admin

from exams.models import Attempt, AttemptItem, Bookmark


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AttemptItem
    fields = ("position", "question", "selected", "answered_at", "is_correct", "flagged")
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "exam",
        "mode",
        "status",
        "started_at",
        "submitted_at",
        "correct_count",
        "question_count",
        "scaled_score",
        "passed",
    )
    list_filter = ("status", "mode", "exam")
    list_select_related = ("user", "exam")
    search_fields = ("user__email", "=id")
    date_hierarchy = "started_at"
    list_per_page = 50
    inlines = [AttemptItemInline]
    fieldsets = (
        (None, {"fields": ("user", "exam", "mode", "status", "scope")}),
        (
            "Time",
            {
                "fields": (
                    "started_at",
                    "deadline",
                    "time_limit_minutes",
                    "extra_time",
                    "submitted_at",
                )
            },
        ),
        ("Score", {"fields": ("question_count", "correct_count", "scaled_score", "passed")}),
    )
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]


@admin.register(Bookmark)
class BookmarkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "question", "created_at")
    list_select_related = ("user", "question")
    search_fields = ("user__email", "question__external_id")
