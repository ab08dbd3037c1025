from django.apps import AppConfig


class OfficialsConfig(AppConfig):
    name = "urgent.officials"
    label = "officials"
