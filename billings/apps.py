from django.contrib.admin.apps import AdminConfig


class BillingsAdminConfig(AdminConfig):
    """The admin, with its sign-in handed to the site's (see billings/admin.py)."""

    default_site = "billings.admin.BillingsAdminSite"
