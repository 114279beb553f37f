"""ASGI entry point: HTTP (pages, API, static files) and websockets in one process.

HTTP goes through Django's WSGI handler on a thread pool (config/http.py explains why), the
bearer-token API through a shorter middleware chain (config/api_handler.py); websockets
through Channels.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
django_http = get_wsgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402

from lagniappe.config.api_handler import ApiOrPages, ApiWSGIHandler  # noqa: E402
from lagniappe.config.http import PooledWsgiToAsgi, admission_for  # noqa: E402
from lagniappe.config.ws_routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": PooledWsgiToAsgi(
            ApiOrPages(pages=StaticFilesHandler(django_http), api=ApiWSGIHandler()),
            admission=admission_for(str(settings.DATABASES["default"]["ENGINE"])),
        ),
        "websocket": websocket_application,
    }
)
