from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "urgent.inbound"
    label = "inbound"
    verbose_name = "Inbound mail"
