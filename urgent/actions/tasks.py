"""Background work of the actions app (django-tasks finds a task by its module path).

The letter sender is defined beside the intake that wakes it; it is named here too, so the
tasks of each app are listed in `<app>/tasks.py`.
"""

from urgent.actions.services.sender import deliveries_send

__all__ = ["deliveries_send"]
