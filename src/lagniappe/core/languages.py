"""The five first-class languages and how we spell their codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    TRADITIONAL_CHINESE = "zh-Hant", _("Traditional Chinese")
    SIMPLIFIED_CHINESE = "zh-Hans", _("Simplified Chinese")
    JAPANESE = "ja", _("Japanese")
    INDONESIAN = "id", _("Indonesian")


_ALIASES = {
    "en": "en",
    "zh-hant": "zh-Hant",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hans": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh": "zh-Hans",
    "ja": "ja",
    "ja-jp": "ja",
    "id": "id",
    "id-id": "id",
    "in": "id",
}


def language_normalise(code: str | None) -> str:
    """Map a BCP 47 tag ("zh-TW", "en-US", "ja_JP") to one of ours, or "" when unknown."""
    if not code:
        return ""
    tag = code.strip().replace("_", "-").lower()
    if tag in _ALIASES:
        return _ALIASES[tag]
    primary = tag.split("-", 1)[0]
    return _ALIASES.get(primary, "") if primary != "zh" else "zh-Hans"
