"""The REST API (django-ninja) at /api/v1, documented at /api/docs."""
