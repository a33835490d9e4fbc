"""Create the "Staff editor" group: the people who write and fix questions in the admin.

Decision: an editor can view, add, change and delete questions and their choices, and can
only *view* exams, domains and objectives. Exams and domains are the official CompTIA
outline and change with a new exam version, which is an administrator's job; objectives are
labels from that outline and arrive with it or with an import (``import_questions`` creates
a missing objective under a valid domain). Editors get nothing else: no users, groups or
attempts. The group carries the permissions; users get none of their own. A member also
needs ``is_staff`` to sign in to the admin (see docs/IMPORT.md).

Re-running sets the permissions to exactly this list; reversing deletes the group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Staff editor"
PERMISSIONS = {
    "question": ("view", "add", "change", "delete"),
    "choice": ("view", "add", "change", "delete"),
    "exam": ("view",),
    "domain": ("view",),
    "objective": ("view",),
}


def create_group(apps, schema_editor):
    # On a fresh database permissions are created only after all migrations (post_migrate);
    # create this app's now so that the group can point at them.
    app_config = apps.get_app_config("questions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    permissions = list(
        Permission.objects.filter(content_type__app_label="questions", codename__in=wanted)
    )
    missing = set(wanted) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"permissions missing for the staff editor group: {sorted(missing)}")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0002_seed_exams"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
