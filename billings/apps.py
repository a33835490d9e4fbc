from django.contrib.admin.apps import AdminConfig


class BillingsAdminConfig(AdminConfig):
    default_site = "billings.admin.BillingsAdminSite"
