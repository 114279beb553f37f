"""Production: refuses the default secret and passes `manage.py check --deploy`."""

import os

from django.core.exceptions import ImproperlyConfigured

from lagniappe.config.settings.base import *  # noqa: F403
from lagniappe.config.settings.base import INSECURE_DEFAULT_SECRET, SECRET_KEY

if SECRET_KEY == INSECURE_DEFAULT_SECRET or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Set LAGNIAPPE_SECRET_KEY to a random value of at least 50 characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

DEBUG = False
LAGNIAPPE_EMBEDDED_WORKER = os.environ.get("LAGNIAPPE_EMBEDDED_WORKER", "0") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("LAGNIAPPE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("LAGNIAPPE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
