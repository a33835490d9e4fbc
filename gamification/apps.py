from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def _weekly_triggers_drop(sender, using, **kwargs):
    """SQLite: migrations run without the ledger's triggers, which name ``accounts_profile``
    (rebuilding that table would fail while they exist); ``_weekly_install`` puts them back."""
    from django.db import connections

    from gamification.weekly import weekly_uninstall

    connection = connections[using]
    if connection.vendor == "sqlite":
        weekly_uninstall(connection=connection)


def _weekly_install(sender, using, **kwargs):
    from django.db import connections, transaction
    from django.utils import timezone

    from gamification.weekly import WINDOW_TABLE, weekly_install

    connection = connections[using]
    if WINDOW_TABLE not in connection.introspection.table_names():
        return  # migrated back to before the kept weekly XP
    with transaction.atomic(using=using):
        weekly_install(connection=connection, now=timezone.now())


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Progress and badges"

    def ready(self):
        # The one signal receiver of the app, and why it is a signal: allauth, not our code,
        # confirms email addresses (link in the mail, or the admin action), and its
        # ``email_confirmed`` signal is the only hook it offers for that moment. The receiver
        # stays tiny: it calls the service that awards the badge. Every other event reaches
        # gamification by a plain call from the exam services.
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(
            email_confirmed_receiver, dispatch_uid="gamification_email_confirmed"
        )
        # Database objects that migrations do not model: see gamification/weekly.py.
        pre_migrate.connect(_weekly_triggers_drop, sender=self)
        post_migrate.connect(_weekly_install, sender=self)


def email_confirmed_receiver(sender, request=None, email_address=None, **kwargs):
    from django.contrib import messages
    from django.utils import timezone

    from gamification.services import email_verified_record

    if email_address is None:
        return
    announcements = email_verified_record(user=email_address.user, at=timezone.now())
    if request is not None and hasattr(request, "_messages"):
        for text in announcements:
            messages.success(request, text)
