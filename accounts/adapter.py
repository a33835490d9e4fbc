"""allauth, adjusted to Billings: account emails carry the site's name, never a host name."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class SiteName:
    """What allauth's mail templates read as ``current_site``: the name and the host."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Without django.contrib.sites, allauth names the site after the request's host
        # ("Hello from 127.0.0.1:8000!"); the name comes from settings instead.
        request = self.request
        domain = request.get_host() if request is not None else ""
        context = {**context, "current_site": SiteName(name=settings.SITE_NAME, domain=domain)}
        super().send_mail(template_prefix, email, context)
