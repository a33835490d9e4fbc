"""Seed the badge catalogue. Idempotent: re-running updates by slug and never duplicates.

After this the catalogue is data, edited in the admin (a new exam version gets its
"simulation passed" badge there).
"""

from django.db import migrations

# slug, name, description, icon, tier, xp_reward, rule, threshold
BADGES = [
    (
        "email-verified",
        "Signed and sealed",
        "Confirmed your email address.",
        "✉",
        "bronze",
        10,
        "email_verified",
        1,
    ),
    (
        "first-attempt",
        "First steps",
        "Finished your first attempt.",
        "➊",
        "bronze",
        10,
        "attempts_finished",
        1,
    ),
    ("attempts-3", "Warming up", "Finished 3 attempts.", "③", "bronze", 15, "attempts_finished", 3),
    ("attempts-5", "Regular", "Finished 5 attempts.", "⑤", "bronze", 20, "attempts_finished", 5),
    (
        "attempts-25",
        "Committed",
        "Finished 25 attempts.",
        "✦",
        "silver",
        50,
        "attempts_finished",
        25,
    ),
    (
        "attempts-50",
        "Dedicated",
        "Finished 50 attempts.",
        "✧",
        "gold",
        100,
        "attempts_finished",
        50,
    ),
    (
        "attempts-100",
        "Centurion",
        "Finished 100 attempts.",
        "♛",
        "platinum",
        200,
        "attempts_finished",
        100,
    ),
    (
        "correct-100",
        "Hundred right",
        "Answered 100 questions correctly.",
        "✔",
        "bronze",
        25,
        "correct_answers",
        100,
    ),
    (
        "correct-500",
        "Five hundred right",
        "Answered 500 questions correctly.",
        "✔",
        "silver",
        75,
        "correct_answers",
        500,
    ),
    (
        "correct-1000",
        "Thousand right",
        "Answered 1,000 questions correctly.",
        "✔",
        "gold",
        150,
        "correct_answers",
        1000,
    ),
    (
        "perfect-1",
        "Flawless",
        "A perfect score on an attempt of 10 or more questions.",
        "◆",
        "silver",
        50,
        "perfect_attempts",
        1,
    ),
    (
        "perfect-5",
        "Flawless five",
        "Five perfect scores on attempts of 10 or more questions.",
        "◆",
        "gold",
        150,
        "perfect_attempts",
        5,
    ),
    (
        "high-score-5",
        "Top marks",
        "Scored 90% or more on 5 attempts of 10 or more questions.",
        "▲",
        "silver",
        75,
        "high_score_attempts",
        5,
    ),
    (
        "one-exam-10",
        "Specialist",
        "Finished 10 attempts in one exam.",
        "●",
        "silver",
        50,
        "attempts_in_one_exam",
        10,
    ),
    (
        "two-exams-10",
        "All-rounder",
        "Finished 10 attempts in each of two exams.",
        "◎",
        "gold",
        100,
        "attempts_in_two_exams",
        10,
    ),
    ("streak-3", "Three in a row", "A 3-day streak.", "♨", "bronze", 15, "streak_days", 3),
    ("streak-7", "Week strong", "A 7-day streak.", "♨", "silver", 40, "streak_days", 7),
    ("streak-30", "Month of practice", "A 30-day streak.", "♨", "gold", 150, "streak_days", 30),
    ("streak-100", "Hundred days", "A 100-day streak.", "♨", "platinum", 500, "streak_days", 100),
    (
        "domain-mastery",
        "Domain master",
        "90% or more over your last 50 answers in one domain.",
        "★",
        "gold",
        100,
        "domain_mastery",
        90,
    ),
    ("level-10", "Level 10", "Reached level 10.", "⑩", "silver", 0, "level_reached", 10),
    ("level-25", "Level 25", "Reached level 25.", "✪", "gold", 0, "level_reached", 25),
    ("level-50", "Level 50", "Reached level 50.", "✺", "platinum", 0, "level_reached", 50),
]


def seed(apps, schema_editor):
    Badge = apps.get_model("gamification", "Badge")
    Exam = apps.get_model("questions", "Exam")
    for position, (slug, name, description, icon, tier, xp, rule, threshold) in enumerate(
        BADGES, start=1
    ):
        Badge.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "icon": icon,
                "tier": tier,
                "xp_reward": xp,
                "rule": rule,
                "threshold": threshold,
                "position": position * 10,
            },
        )
    for offset, exam in enumerate(Exam.objects.order_by("position", "code"), start=1):
        Badge.objects.update_or_create(
            slug=f"simulation-passed-{exam.slug}",
            defaults={
                "name": f"{exam.code} ready",
                "description": f"Passed an exam simulation of {exam.name} ({exam.code}).",
                "icon": "✓",
                "tier": "gold",
                "xp_reward": 100,
                "rule": "simulation_passed",
                "threshold": 1,
                "exam": exam,
                "position": 500 + offset,
            },
        )


def unseed(apps, schema_editor):
    Badge = apps.get_model("gamification", "Badge")
    slugs = [row[0] for row in BADGES]
    Badge.objects.filter(slug__in=slugs).delete()
    Badge.objects.filter(slug__startswith="simulation-passed-").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0001_initial"),
        ("questions", "0002_seed_exams"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
