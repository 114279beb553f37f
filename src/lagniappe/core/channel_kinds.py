"""Every channel a conversation can arrive on. Adapters are looked up in channels.registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    VOICE = "voice", _("Phone")
    WEBFORM = "webform", _("Web form")
    API = "api", _("API")
    LOG = "log", _("Log (development)")
