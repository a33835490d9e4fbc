import factory
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """``verified=True``: the login address confirmed, as sign-in by the form needs.

        Without it the user has no address rows at all (``force_login`` needs none), so other
        apps' rules about verified addresses (a badge) see only what their tests set up.
        """
        if create and extracted:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


def signup(client, email="fresh@example.com", *, password=PASSWORD, time_zone="UTC", **fields):
    """POST the sign-up form as a learner fills it in: both password boxes alike unless
    ``fields`` say otherwise."""
    data = {"email": email, "password1": password, "password2": password, "time_zone": time_zone}
    return client.post(reverse("account_signup"), {**data, **fields})


def signup_and_confirm(client, *, email, password=PASSWORD, **fields):
    """Sign up through the site and follow the confirmation link: the learner is signed in.

    Returns the response to the confirmation (a redirect to the first page).
    """
    import re

    from django.core import mail

    sent = len(mail.outbox)
    response = signup(client, email, password=password, **fields)
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("account_email_verification_sent")
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[sent].body).group(1)
    return client.post(link)
