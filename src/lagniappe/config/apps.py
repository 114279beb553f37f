from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "lagniappe.config"
    label = "lagniappe_config"
    verbose_name = "Lagniappe"

    def ready(self) -> None:
        from lagniappe.config import wiring

        wiring.connect()
