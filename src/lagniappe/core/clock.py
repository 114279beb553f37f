"""The one place that reads the time, so tests and engines can pass it in."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
