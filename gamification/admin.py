from django.contrib import admin

from gamification.models import Badge, DailyActivity, UserBadge, XPEntry


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "rule", "threshold", "exam", "tier", "xp_reward", "is_active")
    list_filter = ("rule", "tier", "is_active")
    list_editable = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(UserBadge)
class UserBadgeAdmin(admin.ModelAdmin):
    """Awards come from the rules (or ``rebuild_progress``), so they are read-only here."""

    list_display = ("user", "badge", "awarded_at")
    list_filter = ("badge",)
    search_fields = ("user__email",)
    list_select_related = ("user", "badge")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(XPEntry)
class XPEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: editing it would break ``xp_total == sum(ledger)``."""

    list_display = ("user", "amount", "reason", "created_at", "attempt", "badge")
    list_filter = ("reason",)
    search_fields = ("user__email",)
    list_select_related = ("user", "badge")
    raw_id_fields = ("user", "attempt", "badge")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyActivity)
class DailyActivityAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "answered", "correct", "xp", "goal_met", "freeze_used")
    list_filter = ("goal_met", "freeze_used")
    search_fields = ("user__email",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
