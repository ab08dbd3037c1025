from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "urgent.supporters"
    label = "supporters"
