"""``{% post_card item %}``: one post of a topic page, as HTML built in Python.

Why not a template: a topic page shows up to 50 posts, and as an included template each post
cost about 1 ms of rendering (some 60 template nodes and 56 variable lookups a post), more than
all the rest of the page (docs/performance.md, "Forum versus the peer"). Built here it costs a
few hundredths of that. The markup is the one the template had; keep it in step with
``forum/forum.css`` and the browser tests (``web/tests/browser/test_forum.py``).

The header is the design system's byline (``web/components/byline.html``) in the same parts:
the author's generated avatar (``accounts/templatetags/avatars.py``, drawn once per author and
page from the pseudonym and avatar choices the page's one query read) and the relative time of
``{% reltime %}`` (``core/templatetags/times.py``), the same markup, with the exact time in its
``title`` and in text screen readers read; ``forum/tests/test_forum_posts.py`` checks both stay
the same as the tags'.

Safety: every value that is not ours is escaped with ``html.escape`` (what Django's ``escape``
does, without its lazy-string checks), and so is every translated word; ids and counts are
integers. ``body_html`` is the sanitised HTML stored when the post was written
(``render_markdown``, which runs nh3), shown as the template's ``|safe`` showed it. Each post is
one form: the reactions are submit buttons naming their kind, "Mute" and "Delete" post
elsewhere with ``formaction``; the form carries the page's CSRF token, and all of it works
without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django import template
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime, now
from django.utils.translation import gettext

from tandem.accounts.templatetags.avatars import avatar_svg
from tandem.core.addresses import url_with_id
from tandem.core.templatetags.times import relative_words
from tandem.forum.models import Community
from tandem.forum.selectors import PostView

register = template.Library()

_PAGE_KEY = "tandem.forum.post_card.page"


@dataclass(frozen=True)
class _Page:
    """What every card of a page shares: the CSRF input and the fixed words, translated and
    escaped once per page (the active language can differ between requests, so never once
    per process)."""

    csrf_input: str
    muted: str
    edited: str
    new: str
    deleted: str
    hidden: str
    waiting: str
    why: str
    held: str
    moderator_hid: str
    reason: str
    moderator_edited: str
    support: str
    quote: str
    edit: str
    delete: str
    mute: str
    report: str
    history: str
    professional: str
    # Translated but not escaped: a person's name or title goes in first, then all is escaped.
    professional_title: str
    in_reply_to: str
    # Abbreviated month names, as the "M" of Django's date formats gives them.
    months: tuple[str, ...]
    # The moment the page is drawn: every relative time is counted from it.
    now: datetime
    # Each author's avatar, drawn once per page: (pseudonym, colour, shape) -> SVG.
    avatars: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _page(context: Context) -> _Page:
    page: _Page | None = context.render_context.get(_PAGE_KEY)
    if page is None:
        page = _Page(
            # The hidden input {% csrf_token %} gives, rendered once for all the page's posts.
            csrf_input=str(CsrfTokenNode().render(context)),
            muted=escape(gettext("A post from someone you muted")),
            edited=escape(gettext("edited")),
            new=escape(gettext("New since your last visit")),
            deleted=escape(gettext("This post was deleted by its author.")),
            hidden=escape(gettext("This post was hidden by a moderator.")),
            waiting=escape(gettext("Waiting for a moderator. Only you can see this post for now.")),
            why=escape(gettext("Why?")),
            held=escape(gettext("Held for review: only its author and moderators see it.")),
            moderator_hid=escape(gettext("A moderator hid this post from others.")),
            reason=escape(gettext("Reason:")),
            moderator_edited=escape(gettext("Edited by a moderator:")),
            support=escape(gettext("Support")),
            quote=escape(gettext("Quote")),
            edit=escape(gettext("Edit")),
            delete=escape(gettext("Delete")),
            mute=escape(gettext("Mute this person")),
            report=escape(gettext("Report")),
            history=escape(gettext("Edit history")),
            professional=escape(gettext("Verified professional")),
            professional_title=gettext("Professional · %(title)s"),
            in_reply_to=gettext("In reply to %(name)s"),
            months=tuple(str(MONTHS_3[month]).title() for month in range(1, 13)),
            now=now(),
        )
        context.render_context[_PAGE_KEY] = page
    return page


def _date(local: datetime, page: _Page) -> str:
    """``local`` as Django's ``date:"j M Y"`` gives it, without parsing a format per post."""
    return f"{local.day} {page.months[local.month - 1]} {local.year}"


def _time(value: datetime | None, page: _Page) -> str:
    """What ``{% reltime value %}`` gives ("3 hours ago", the exact time in ``title`` and in a
    span screen readers read), built from the page's parts."""
    if value is None:
        return ""
    local = localtime(value) if is_aware(value) else value  # as templates show times
    exact = escape(f"{_date(local, page)}, {local:%H:%M}")  # date:"j M Y, H:i"
    delta = page.now - value
    # Beyond a week, or in the future, reltime shows the date: written here without
    # Django's date formatting, which would cost more than the rest of the card.
    if timedelta(0) <= delta < timedelta(days=7):
        words = escape(relative_words(value, page.now))
    else:
        words = escape(_date(local, page))
    return (
        f'<time class="reltime" datetime="{escape(local.isoformat())}" title="{exact}"'
        f' tabindex="0">{words}<span class="reltime-exact"> ({exact})</span></time>'
    )


def _avatar(author: Any, page: _Page) -> str:
    """The author's avatar as ``{% avatar author size="sm" %}`` draws it, once per page."""
    key = (str(author.pseudonym), author.avatar_colour or "", author.avatar_shape or "")
    drawn = page.avatars.get(key)
    if drawn is None:
        drawn = page.avatars[key] = str(avatar_svg(key[0], colour=key[1], shape=key[2], size="sm"))
    return drawn


def _header(item: PostView, page: _Page) -> str:
    post = item.post
    badge = ""
    if post.professional_title:
        title = escape(page.professional_title % {"title": post.professional_title})
        badge = (
            f' <span class="badge badge-professional" title="{page.professional}">{title}</span>'
        )
    edited = f" · {page.edited}" if post.edited_at else ""
    new = f'<span class="badge badge-new">{page.new}</span>' if item.is_new else ""
    return (
        f'<header class="post-header">\n    {_avatar(post.author, page)}<span class="author">'
        f"{escape(post.author.pseudonym)}</span>{badge}\n"
        f'    <span class="hint">{_time(post.published_at, page)}{edited}</span>\n    {new}\n'
        "  </header>"
    )


def _banners(item: PostView, page: _Page) -> str:
    post = item.post
    parts: list[str] = []
    if post.is_held:
        if item.is_own:
            outcome = url_with_id("moderation:post-outcome", post.pk)
            text = f'{page.waiting} <a href="{outcome}">{page.why}</a>'
        else:
            text = page.held
        parts.append(f'<p class="moderation-banner" data-post-held>{text}</p>')
    note = escape(post.moderation_note)
    if post.is_hidden:
        reason = f" {page.reason} {note}" if note else ""
        parts.append(
            f'<p class="moderation-banner" data-post-hidden>{page.moderator_hid}{reason}</p>'
        )
    elif note:
        parts.append(f'<p class="hint" data-moderator-note>{page.moderator_edited} {note}</p>')
    if post.quoted_post_id is not None and post.quoted_post is not None:
        name = escape(page.in_reply_to % {"name": post.quoted_post.author.pseudonym})
        parts.append(
            f'<p class="hint quote-ref"><a href="#post-{int(post.quoted_post_id)}">{name}</a></p>'
        )
    return "".join(f"\n  {part}" for part in parts)


def _reactions(item: PostView) -> str:
    cells: list[str] = []
    for kind, label, count, mine in item.reactions:
        shown = f' <span class="count">{int(count)}</span>' if count else ""
        if not item.is_own:
            cell = (
                f'<button type="submit" name="kind" value="{escape(kind)}" class="reaction'
                f'{" reaction-mine" if mine else ""}" aria-pressed="{"true" if mine else "false"}">'
                f"{escape(label)}{shown}</button>"
            )
        elif count:
            cell = f'<span class="reaction">{escape(label)}{shown}</span>'
        else:
            cell = ""
        cells.append(f"\n      <li>{cell}</li>")
    return "".join(cells)


def _actions(item: PostView, page: _Page, *, topic_locked: bool, is_moderator: bool) -> str:
    post = item.post
    links: list[str] = []
    if not topic_locked:
        links.append(f'<a href="?quote={int(post.pk)}#reply">{page.quote}</a>')
    if item.is_own:
        links.append(f'<a href="{url_with_id("forum:post-edit", post.pk)}">{page.edit}</a>')
        links.append(
            f'<button type="submit" formaction="{url_with_id("forum:post-delete", post.pk)}"'
            f' class="link-button">{page.delete}</button>'
        )
    else:
        if not item.is_muted:
            links.append(
                '<button type="submit" formaction="'
                f'{url_with_id("forum:post-mute-author", post.pk)}" class="link-button">'
                f"{page.mute}</button>"
            )
        links.append(
            f'<a href="{url_with_id("moderation:post-report", post.pk)}" data-report-link>'
            f"{page.report}</a>"
        )
    if is_moderator and post.edited_at:
        links.append(f'<a href="{url_with_id("forum:post-history", post.pk)}">{page.history}</a>')
    return "".join(f"\n      {link}" for link in links)


@register.simple_tag(takes_context=True)
def post_card(context: Context, item: PostView) -> SafeString:
    """Render ``item`` for the person reading the page (``is_moderator`` and
    ``community.is_read_only`` come from the page's context)."""
    page = _page(context)
    post = item.post
    is_moderator = bool(context.get("is_moderator"))
    community = context.get("community")
    topic_locked = isinstance(community, Community) and community.is_read_only
    state = escape(post.moderation_state)
    classes = "post card" + (" post-new" if item.is_new else "")
    if state != "visible":
        classes += f" post-{state}"
    if post.is_deleted:
        content = f'\n  <p class="hint">{page.deleted}</p>'
    elif post.is_hidden and not item.is_own and not is_moderator:
        content = f'\n  <p class="hint">{page.hidden}</p>'
    else:
        actions = _actions(item, page, topic_locked=topic_locked, is_moderator=is_moderator)
        content = (
            f"{_banners(item, page)}\n"
            # Sanitised when written (render_markdown + nh3), as the template's |safe showed it.
            f'  <div class="post-body">{post.body_html}</div>\n'
            f'  <footer><form method="post" action="{url_with_id("forum:post-react", post.pk)}"'
            f' class="post-footer">{page.csrf_input}\n'
            f'    <ul class="reactions" aria-label="{page.support}">{_reactions(item)}\n'
            "    </ul>\n"
            f'    <div class="actions post-actions">{actions}\n    </div>\n  </form></footer>'
        )
    body = f"  {_header(item, page)}{content}"
    if item.is_muted:
        body = (
            f'  <details class="muted-post"><summary>{page.muted}</summary>\n{body}\n  </details>'
        )
    html = (
        f'<article class="{classes}" id="post-{int(post.pk)}" data-moderation-state="{state}">\n'
        f"{body}\n</article>"
    )
    # Safe: every value above was escaped, or is an integer, or is the post's sanitised HTML.
    return mark_safe(html)  # noqa: S308
