from django.apps import AppConfig


class BenchesConfig(AppConfig):
    """Registers `urgent bench` without the shipped apps importing this package."""

    name = "benches"
    label = "benches"
