"""The "Staff editor" group works the quality queue: it may view and change question
reports (accept, fix or reject them with a reply) and view the item analysis figures.

Editors fix the questions that learners report, so the queue is theirs too. They do not add
or delete reports (only learners make them, and a report is the learner's record) nor write
item statistics (``manage.py item_analysis`` does). Reversing takes these permissions away.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Staff editor"
PERMISSIONS = ("view_questionreport", "change_questionreport", "view_itemstat")


def _permissions(apps, schema_editor):
    app_config = apps.get_app_config("questions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="questions", codename__in=PERMISSIONS)
    )
    missing = set(PERMISSIONS) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"permissions missing for the staff editor group: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor):
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps, schema_editor))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, schema_editor))


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0009_question_kinds_and_exhibits"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
