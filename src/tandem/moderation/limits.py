"""Limits on posting, so that a new or upset member cannot flood a space where people in crisis
read. Counted over indexed timestamps in the database: right on any number of workers, and no
cache needed (``Post(author, published_at)``, ``Report(reporter, created_at)``)."""

from __future__ import annotations

from datetime import timedelta

# Reports per person per hour. Posting limits per hour are set per community
# (``CommunitySettings``: 5 topics, 30 replies, 20 mentions by default; moderators are exempt).
REPORTS_PER_HOUR = 10

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Trust grows with constructive participation, never with reactions received.
TRUST_NEW = 0
TRUST_MEMBER = 1
TRUST_REGULAR = 2
MEMBER_TOPICS_READ = 5
MEMBER_DAYS_VISITED = 2
REGULAR_APPROVED_POSTS = 20
REGULAR_TOPICS_READ = 30
REGULAR_DAYS_VISITED = 10
