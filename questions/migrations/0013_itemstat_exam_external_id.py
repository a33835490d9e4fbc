from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def keys_copy(apps, schema_editor):
    """Each figure row takes its question's exam and question id."""
    ItemStat = apps.get_model("questions", "ItemStat")
    Question = apps.get_model("questions", "Question")
    own = Question.objects.filter(pk=OuterRef("question_id"))
    ItemStat.objects.using(schema_editor.connection.alias).update(
        exam_id=Subquery(own.values("exam_id")[:1]),
        external_id=Subquery(own.values("external_id")[:1]),
    )
    if schema_editor.connection.vendor == "postgresql":
        # The new key's check now, not at commit: the next operation alters the table.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0012_question_current_item_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemstat",
            name="exam",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="questions.exam",
            ),
        ),
        migrations.AddField(
            model_name="itemstat",
            name="external_id",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="question id"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(keys_copy, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="itemstat",
            name="exam",
            field=models.ForeignKey(
                editable=False,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="questions.exam",
            ),
        ),
        migrations.AddIndex(
            model_name="itemstat",
            index=models.Index(
                fields=["exam", "-flagged", "external_id", "-revision_number", "mode"],
                name="questions_itemstat_page_idx",
            ),
        ),
    ]
