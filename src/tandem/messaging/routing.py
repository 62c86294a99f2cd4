"""WebSocket routes of messaging, included by ``tandem.routing``."""

from typing import Any

from django.urls import path

from tandem.messaging.consumers import MessagingConsumer

websocket_urlpatterns: list[Any] = [
    path("ws/messaging/", MessagingConsumer.as_asgi()),
]
