"""The one place where text that people type becomes HTML.

Every piece of user-supplied text (forum posts, messages, journal entries, …) is shown through
:func:`render_markdown`. Nothing else in the project turns user text into markup, so this is the
only function that needs to be right about cross-site scripting.

The pipeline is: strip invisible direction/zero-width characters (``core.text``), cap the
length, parse CommonMark with raw HTML switched off, reshape a few tokens (demote headings, turn
images into links), render, then sanitise the result with nh3's allow-list and strip the
invisible characters again (character references such as ``&#x202E;`` are decoded by the
parser). The sanitiser runs last on purpose: even if the Markdown parser had a bug, nothing
outside the allow-list reaches a page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tandem.core.text import strip_invisible_characters

# Counted in characters (a 100 KB post of plain text): far above any real post, low enough that
# parsing stays quick. Longer text is cut here and a note says so; see render_markdown.
MAX_INPUT_CHARS = 100_000

# markdown-it stops descending (and drops the rest of the block) past this depth, which keeps
# 10,000 nested ">" from costing recursion or time. Real writing rarely nests past three levels.
MAX_NESTING = 20

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "blockquote",
        "ul",
        "ol",
        "li",
        "code",
        "pre",
        "h3",
        "h4",
        "h5",
        "a",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
# The one class a link may carry: an @mention the caller linked (see render_markdown). Typed
# Markdown cannot set classes (raw HTML is off), and nh3 drops any other class anyway.
ALLOWED_CLASSES: dict[str, set[str]] = {"a": {"mention"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Links are written by members, not vouched for by the portal: no ranking credit, no opener.
LINK_REL = "nofollow ugc noopener"

_HEADING_TAGS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h5", "h5": "h5", "h6": "h5"}


def render_markdown(text: str, *, mentions: Mapping[str, str] | None = None) -> SafeString:
    """Return safe HTML for user-supplied Markdown ``text``.

    Raw HTML in the input is shown as text, never as markup. Headings become ``h3`` to ``h5`` so a
    post cannot outrank the page around it. Images are never loaded (pictures from outside the
    portal are forbidden): each becomes a link to the picture labelled with its alt text, or
    plain alt text when it already sits inside a link. Links keep only http, https and mailto
    URLs (others lose their ``href``) and carry ``rel="nofollow ugc noopener"``.

    Text longer than :data:`MAX_INPUT_CHARS` characters is cut at that length and followed by a
    note saying it was shortened; the stored text is untouched, only the display is cut.
    Nesting deeper than :data:`MAX_NESTING` levels is dropped.

    ``mentions`` maps names (lower case) to addresses: each ``@name`` in the text, outside links
    and code, becomes a link there with the class ``mention`` (the longest name wins, matched
    without regard to case, and only as a whole word). The caller decides who may be linked and
    where; this function only places the links, which pass the same sanitiser as the rest.
    """
    cleaned = strip_invisible_characters(text)
    if len(cleaned) > MAX_INPUT_CHARS:
        note = gettext("(This text is too long to show in full, so the end has been cut off.)")
        cleaned = f"{cleaned[:MAX_INPUT_CHARS]}\n\n{note}\n"
    parser = _parser()
    tokens = parser.parse(cleaned)
    _reshape(tokens, _mention_pattern(mentions or {}), mentions or {})
    html = parser.renderer.render(tokens, parser.options, {})
    sanitised = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        allowed_classes=ALLOWED_CLASSES,
        strip_comments=True,
    )
    # Markdown decodes character references, so "&#x202E;" arrives here as the override itself:
    # strip again. Removing characters that are not markup cannot create markup.
    # nh3 has just removed everything outside the allow-list, so the result is safe to mark.
    return mark_safe(strip_invisible_characters(sanitised))  # noqa: S308


@functools.cache
def _parser() -> MarkdownIt:
    # A MarkdownIt instance keeps no state between calls, so one per process is enough.
    options = {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING}
    return MarkdownIt("commonmark", options).enable(["strikethrough", "table"])


def _mention_pattern(mentions: Mapping[str, str]) -> re.Pattern[str] | None:
    """``@`` and one of the names, as a whole word not preceded by a word or another ``@``
    (an email address is not a mention); longer names first, so the longest one wins."""
    if not mentions:
        return None
    names = "|".join(re.escape(name) for name in sorted(mentions, key=len, reverse=True))
    return re.compile(rf"(?<![\w@])@({names})(?!\w)", re.IGNORECASE)


def _reshape(
    tokens: list[Token], mention: re.Pattern[str] | None, mentions: Mapping[str, str]
) -> None:
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = _HEADING_TAGS.get(token.tag, "h5")
        if token.children:
            token.children = _reshape_inline(token.children, mention, mentions)


def _reshape_inline(
    children: Sequence[Token],
    mention: re.Pattern[str] | None = None,
    mentions: Mapping[str, str] | None = None,
) -> list[Token]:
    result: list[Token] = []
    link_depth = 0
    for child in children:
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        if child.type in {"s_open", "s_close"}:
            # The allow-list speaks of deleted text (<del>), which is what ~~ means here.
            child.tag = "del"
        if child.type == "image":
            result.extend(_image_replacement(child, inside_link=link_depth > 0))
        elif child.type == "text" and mention is not None and mentions and link_depth == 0:
            result.extend(_link_mentions(child, mention, mentions))
        else:
            result.append(child)
    return result


def _link_mentions(
    text: Token, mention: re.Pattern[str], mentions: Mapping[str, str]
) -> list[Token]:
    """``text`` split around its mentions, each mention a link as written (its case kept)."""
    parts: list[Token] = []
    at = 0
    for found in mention.finditer(text.content):
        if found.start() > at:
            parts.append(Token("text", "", 0, content=text.content[at : found.start()]))
        href = mentions[found.group(1).lower()]
        parts.append(Token("link_open", "a", 1, attrs={"href": href, "class": "mention"}))
        parts.append(Token("text", "", 0, content=found.group(0)))
        parts.append(Token("link_close", "a", -1))
        at = found.end()
    if not parts:
        return [text]
    if at < len(text.content):
        parts.append(Token("text", "", 0, content=text.content[at:]))
    return parts


def _image_replacement(image: Token, *, inside_link: bool) -> list[Token]:
    src = str(image.attrGet("src") or "")
    alt = "".join(_plain_text(image.children or []))
    label = Token("text", "", 0, content=alt or src)
    if inside_link or not src:
        # A link inside a link is not valid HTML; the outer link already goes somewhere.
        return [label]
    link_open = Token("link_open", "a", 1, attrs={"href": src})
    title = image.attrGet("title")
    if title:
        link_open.attrSet("title", str(title))
    return [link_open, label, Token("link_close", "a", -1)]


def _plain_text(tokens: Sequence[Token]) -> list[str]:
    parts: list[str] = []
    for token in tokens:
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif token.children:
            parts.extend(_plain_text(token.children))
    return parts
