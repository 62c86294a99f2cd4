"""WSGI entry point: every page is served here (granian or gunicorn workers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

application = get_wsgi_application()

from channels.layers import get_channel_layer  # noqa: E402 - needs Django set up first

# Load the channel layer now (with Redis, importing its client takes a quarter of a second),
# not during the first message a worker sends after it starts.
get_channel_layer()
