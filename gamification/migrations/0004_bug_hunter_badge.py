"""The "Bug hunter" badge: a problem report that staff accepted (or fixed)."""

from django.db import migrations


def seed(apps, schema_editor):
    Badge = apps.get_model("gamification", "Badge")
    Badge.objects.update_or_create(
        slug="bug-hunter",
        defaults={
            "name": "Bug hunter",
            "description": "Reported a problem with a question that staff accepted.",
            "icon": "⚑",
            "tier": "silver",
            "xp_reward": 25,
            "rule": "reports_accepted",
            "threshold": 1,
            "position": 450,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("gamification", "Badge").objects.filter(slug="bug-hunter").delete()


class Migration(migrations.Migration):
    dependencies = [("gamification", "0003_badge_reports_accepted")]

    operations = [migrations.RunPython(seed, unseed)]
