from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _bank_sizes_install(sender, using, **kwargs):
    from django.db import connections

    from questions.bank_size import bank_sizes_install

    bank_sizes_install(connection=connections[using])


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        # Database objects that migrations do not model: see questions/bank_size.py.
        post_migrate.connect(_bank_sizes_install, sender=self)
