"""Identity reveals with two keys (issue 13): a moderator asks, with a reason; a second
moderator of the organisation, or someone on its clinical escalation rota, approves or
declines; only then do the two of them see who is behind the pseudonym, and the person is
told. The data is ``moderation.models.RevealRequest``."""
