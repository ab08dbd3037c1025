from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "urgent.web"
    label = "web"
