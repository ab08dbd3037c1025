from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "urgent.actions"
    label = "actions"
