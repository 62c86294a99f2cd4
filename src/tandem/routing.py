"""WebSocket routes (Channels). Apps add their consumers here under ``ws/``."""

from typing import Any

from tandem.messaging.routing import websocket_urlpatterns as messaging_websockets

websocket_urlpatterns: list[Any] = [*messaging_websockets]
