from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def _counts_install(sender, using, **kwargs):
    from django.db import connections

    from questions.counts import counts_install, counts_present

    connection = connections[using]
    if counts_present(connection=connection):  # not when migrated back to before them
        counts_install(connection=connection)


def _counts_uninstall(sender, using, **kwargs):
    from django.db import connections

    from questions.counts import counts_uninstall

    counts_uninstall(connection=connections[using])


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        # Database objects that migrations do not model: see questions/counts.py.
        pre_migrate.connect(_counts_uninstall, sender=self)
        post_migrate.connect(_counts_install, sender=self)
