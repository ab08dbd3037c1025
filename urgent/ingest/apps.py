from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "urgent.ingest"
    label = "ingest"
