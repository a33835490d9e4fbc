"""Revision 1 of every question already in the bank, snapshotting it as it stands."""

from itertools import batched

from django.db import migrations
from django.utils import timezone

from questions.revisions import snapshot_build

BATCH = 1000


def forwards(apps, schema_editor):
    Question = apps.get_model("questions", "Question")
    Choice = apps.get_model("questions", "Choice")
    QuestionRevision = apps.get_model("questions", "QuestionRevision")
    now = timezone.now()
    ids = Question.objects.order_by("pk").values_list("pk", flat=True)
    for chunk in batched(list(ids), BATCH):
        texts = dict(Question.objects.filter(pk__in=chunk).order_by().values_list("pk", "text"))
        choices = {pk: [] for pk in chunk}
        for row in (
            Choice.objects.filter(question_id__in=chunk)
            .order_by()
            .values("id", "question_id", "letter", "text", "explanation", "is_correct")
        ):
            choices[row["question_id"]].append(row)
        QuestionRevision.objects.bulk_create(
            QuestionRevision(
                question_id=pk,
                number=1,
                created_at=now,
                snapshot=snapshot_build(text=texts[pk], choices=choices[pk]),
            )
            for pk in chunk
        )


class Migration(migrations.Migration):
    dependencies = [("questions", "0007_revisions_reports_item_stats")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
