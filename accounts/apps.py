from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # The one signal receiver of the app, and why it is a signal: a learner signs in through
        # allauth, the admin or the test client, and Django's ``user_logged_in`` is the one hook
        # all of them share. The receiver only copies the profile's time zone into the session
        # that the sign-in writes anyway, so the pages after it cost no extra query
        # (see accounts/middleware.py).
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import user_logged_in_receiver

        user_logged_in.connect(user_logged_in_receiver, dispatch_uid="accounts_time_zone")
