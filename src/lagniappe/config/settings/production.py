"""Production: refuses the default secret and passes `lagniappe check --deploy`.

Selected by LAGNIAPPE_ENV=production (or DJANGO_SETTINGS_MODULE). Run `lagniappe migrate`
on deploy and one or more `lagniappe worker` processes beside `lagniappe serve`.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from lagniappe.config.settings.base import *  # noqa: F403
from lagniappe.config.settings.base import HOME, INSECURE_DEFAULT_SECRET, SECRET_KEY

if SECRET_KEY == INSECURE_DEFAULT_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Set LAGNIAPPE_SECRET_KEY to a random value of at least 50 characters "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

HOME.mkdir(parents=True, exist_ok=True)

DEBUG = False
# Workers are separate processes in production unless asked for explicitly.
LAGNIAPPE_EMBEDDED_WORKER = os.environ.get("LAGNIAPPE_EMBEDDED_WORKER", "0") == "1"
# Schema changes are a deliberate step of a deploy: `lagniappe migrate`.
LAGNIAPPE_AUTO_MIGRATE = os.environ.get("LAGNIAPPE_AUTO_MIGRATE", "0") == "1"
LAGNIAPPE_SWEEP_SECONDS = float(os.environ.get("LAGNIAPPE_SWEEP_SECONDS", "60"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("LAGNIAPPE_SSL_REDIRECT", "1") == "1"
# The health check is probed over plain HTTP by load balancers and orchestrators.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("LAGNIAPPE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
