"""Sign-in by email: only the account's own login address or a verified address opens it.

allauth's backend also accepts any address the account has merely *added*, verified or not; a
learner could add someone else's address and then sign in with it and their own password.
Here an unverified added address never signs anyone in.
"""

from allauth.account.auth_backends import AuthenticationBackend

from accounts.selectors import users_with_address


class VerifiedEmailBackend(AuthenticationBackend):
    def _authenticate_by_email(self, email, password):
        if not email:
            return None
        for user in users_with_address(email=email):
            if self._check_password(user, password):
                return user
        return None
