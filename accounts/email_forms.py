"""allauth's forms as Billings uses them.

Apart from accounts/forms.py, which allauth imports while it builds its own forms (the sign-up
extra fields): importing allauth's forms from there would be circular.
"""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from django import forms

from accounts.selectors import users_with_address


class AddEmailForm(AllauthAddEmailForm):
    """allauth's form, refusing an address that belongs to another account.

    allauth accepts it (unverified) to hide that the address is taken; then the address sits on
    two accounts. Refusing tells a signed-in learner that the address is in use, which the
    rate limit on managing addresses (allauth's ``manage_email``) keeps to a trickle.
    """

    def clean_email(self):
        email = super().clean_email()
        if users_with_address(email=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(
                "This address belongs to another account.", code="email_taken"
            )
        return email
