from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from urgent.web.demo import demo_load, staff_login_ensure


class Command(BaseCommand):
    help = "Load the invented demo cases and create a staff login (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo_load()
        if created:
            self.stdout.write(f"Demo cases created: {', '.join(created)}")
        else:
            self.stdout.write("Demo cases already present.")
        username, password = staff_login_ensure()
        self.stdout.write("")
        # Coordinators work in the staff workspace; the Django admin is a tool behind it.
        self.stdout.write(f"Staff workspace: {settings.URGENT_BASE_URL}/staff/")
        self.stdout.write(f"  username: {username}")
        if password:
            self.stdout.write(f"  password: {password}")
        else:
            self.stdout.write("  password: (set by you; reset with `urgent changepassword staff`)")
