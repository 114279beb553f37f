from django.apps import AppConfig


class WebformChannelConfig(AppConfig):
    name = "lagniappe.channels.webform"
    label = "channel_webform"
    verbose_name = "Channel: web form"
