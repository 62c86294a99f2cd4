"""Reaching out: a private conversation between the moderators of a community and the author
of a post under review, one per review item.

It is a messaging thread of kind "moderation" (``messaging.kinds``; ``context_id`` is the
review item): the same encrypted messages, idempotent sending, unread counts and live updates
as care messaging. ``threads`` opens, finds and closes it; ``kind`` holds its rules (registered
in ``ModerationConfig.ready``); ``pages`` shapes it for the item page and the outcome page.
"""
