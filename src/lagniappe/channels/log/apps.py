from django.apps import AppConfig


class LogChannelConfig(AppConfig):
    name = "lagniappe.channels.log"
    label = "channel_log"
    verbose_name = "Channel: log"
