"""Keep each learner's newest answers per domain on ``DomainTally``, filled from history."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from exams.services import domain_tallies_rebuild

    domain_tallies_rebuild(
        item_model=apps.get_model("exams", "AttemptItem"),
        tally_model=apps.get_model("exams", "DomainTally"),
    )


class Migration(migrations.Migration):
    dependencies = [("exams", "0007_review_mode_confidence")]

    operations = [
        migrations.AddField(
            model_name="domaintally",
            name="recent",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
