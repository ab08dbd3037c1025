from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "urgent.federation"
    label = "federation"
    verbose_name = "Federation"
