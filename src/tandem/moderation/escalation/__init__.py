"""The second tier of the safety net, beyond the peer moderators.

- ``selectors``: the rota, the organisation's settings, what an item's escalations look like.
- ``services``: a moderator escalates an item (to the clinical contacts and/or the person's care
  team); a recipient takes it on; an organisation admin keeps the rota.
- ``sweep``: automatic escalation of urgent holds nobody has reviewed in time, and at once
  when nobody is on duty (run by ``manage.py escalate_overdue``).
"""
