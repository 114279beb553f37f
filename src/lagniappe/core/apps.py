from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lagniappe.core"
    label = "core"
    verbose_name = "Core"
