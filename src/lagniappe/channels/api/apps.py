from django.apps import AppConfig


class ApiChannelConfig(AppConfig):
    name = "lagniappe.channels.api"
    label = "channel_api"
    verbose_name = "Channel: integration API"
