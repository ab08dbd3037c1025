from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "urgent.outreach"
    label = "outreach"
