from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "urgent.impact"
    label = "impact"
