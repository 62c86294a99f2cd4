"""A small WebSocket test client for ASGI applications.

Channels' own ``WebsocketCommunicator`` lives in ``channels.testing``, whose package imports
daphne (not installed here: Tandem serves ASGI with granian), so this is the same idea on top
of asgiref's ``ApplicationCommunicator``.
"""

from __future__ import annotations

from typing import Any

from asgiref.testing import ApplicationCommunicator


class SocketCommunicator(ApplicationCommunicator):
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, Any]:
        """(True, subprotocol) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.send_input({"type": "websocket.receive", "text": text_data})
        else:
            await self.send_input({"type": "websocket.receive", "bytes": bytes_data})

    async def receive_from(self, timeout: float = 3) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        text: str = response["text"]
        return text

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
