from django.apps import AppConfig


class ChatChannelConfig(AppConfig):
    name = "lagniappe.channels.chat"
    label = "channel_chat"
    verbose_name = "Channel: live chat"
