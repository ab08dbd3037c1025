from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "urgent.core"
    label = "core"
    verbose_name = "Core"
