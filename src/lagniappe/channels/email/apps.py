from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    name = "lagniappe.channels.email"
    label = "channel_email"
    verbose_name = _("Channel: email")
