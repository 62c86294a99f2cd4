"""@mentions: who a post names, and its HTML with each of them linked to their page.

The one parser of mentions in posts: notifications ask :func:`mentioned_users` who to tell,
and :func:`render_post_html` links the same people to their page in the community
(``forum/profiles.py``). Links are made when the post is written, like the rest of its HTML
(``Post.body_html``), and only for people who belong to the community now; anyone else stays
plain text. A link carries the community's id and the person's key there, nothing else.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString

from tandem.accounts.models import User
from tandem.core.markdown import render_markdown
from tandem.forum.models import MAX_MENTIONS_PER_POST, Community, Post
from tandem.forum.profiles import belongs_now, profile_url

MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.'-]*)")


def mentioned_users(*, body: str, community: Community | int) -> list[User]:
    """Members of ``community`` whose display names follow an ``@`` in ``body``.

    Display names may hold spaces, so each ``@word`` is matched against members whose name
    starts with that word, and the longest name that the text spells out wins.
    """
    found: dict[int, User] = {}
    for match in list(MENTION.finditer(body))[:MAX_MENTIONS_PER_POST]:
        # A name ends with a letter or digit: "@Wren." at the end of a sentence is Wren.
        first_word = match.group(1).rstrip(".'-")
        rest = body[match.start(1) :].lower()
        candidates = User.objects.filter(
            pseudonym__istartswith=first_word,
            is_active=True,
            community_memberships__community=community,
        )
        best: User | None = None
        for candidate in candidates:
            name = candidate.pseudonym.lower()
            boundary = rest[len(name) : len(name) + 1]
            fits = rest.startswith(name) and not (boundary.isalnum() or boundary == "_")
            if fits and (best is None or len(name) > len(best.pseudonym)):
                best = candidate
        if best is not None:
            found[best.pk] = best
    return list(found.values())


def render_post_html(post: Post) -> SafeString:
    """``post.body`` as HTML (``core.markdown``), with each mention of someone who belongs to
    the post's community now linked to their page there.

    A draft is rendered without links: nobody else reads it, and autosave should not look
    people up every few seconds; publishing renders it again.
    """
    if post.is_draft or "@" not in post.body:
        return render_markdown(post.body)
    community_id = post.topic.community_id
    links = {
        user.pseudonym.lower(): profile_url(community_id=community_id, user_id=user.pk)
        for user in mentioned_users(body=post.body, community=community_id)
        if belongs_now(user.pk, community_id)
    }
    return render_markdown(post.body, mentions=links)
