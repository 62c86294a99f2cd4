"""What the forum page tests share: starting a topic through the form."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tandem.forum.models import Category


def _create(client: Client, category: Category, **data: str) -> Any:
    payload = {"category": str(category.pk), "title": "", "body": "", "action": "publish"}
    payload.update(data)
    return client.post(f"/communities/{category.community_id}/topics/create/", payload)
