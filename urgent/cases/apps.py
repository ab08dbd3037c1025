from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "urgent.cases"
    label = "cases"
