from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class StaffConfig(AppConfig):
    name = "urgent.staff"
    label = "staff"
    verbose_name = "Staff workspace"


class StaffAdminConfig(AdminConfig):
    """The Django admin, behind the same sign-in and second factor as the workspace."""

    default_site = "urgent.staff.admin_site.StaffAdminSite"
