from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "urgent.api"
    label = "api"
    verbose_name = "JSON API"
