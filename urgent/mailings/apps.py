from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "urgent.mailings"
    label = "mailings"
