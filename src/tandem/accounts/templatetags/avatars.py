"""Avatars without faces: an inline SVG drawn from a name, never a photo.

``{% avatar person %}`` draws a person as peer spaces show them: from their pseudonym, in the
colour and shape they picked (``User.avatar_colour``/``avatar_shape``; empty means "from the
pseudonym" too). ``{% name_avatar name %}`` draws only the name shown next to it, with no
choices: use it where a page names people by their full name (care messages), so the picture
there never matches, and so never links a real name to, the pseudonym's avatar in a community.

The same name always gives the same picture: a 5-by-5 mirrored pattern from the SHA-256 of the
name (case-folded), inside a coloured outline. The SVG is decorative (``aria-hidden``): the
name is always written beside it. Colours are CSS classes (``.av-0``…``.av-7`` in
``web/tandem.css``), so the page's CSP needs no inline styles; geometry is plain attributes.

The tags live in accounts, not in the shell (web), because feature apps (the forum's post
headers) draw avatars too, and apps depend on accounts, never on web.
"""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from tandem.accounts.models import AvatarColour, AvatarShape

register = template.Library()

COLOURS = tuple(AvatarColour.values)
SHAPES = tuple(AvatarShape.values)
SIZES = frozenset({"", "sm", "lg"})

_OUTLINES = {
    AvatarShape.CIRCLE: '<circle class="av-bg" cx="20" cy="20" r="20"/>',
    AvatarShape.SQUARE: '<rect class="av-bg" width="40" height="40" rx="9"/>',
    AvatarShape.HEXAGON: (
        '<polygon class="av-bg" points="20,0 37.3,10 37.3,30 20,40 2.7,30 2.7,10"/>'
    ),
    AvatarShape.FLOWER: (
        '<g class="av-bg"><circle cx="12" cy="12" r="12"/><circle cx="28" cy="12" r="12"/>'
        '<circle cx="12" cy="28" r="12"/><circle cx="28" cy="28" r="12"/>'
        '<circle cx="20" cy="20" r="13"/></g>'
    ),
}


def _pattern(digest: bytes) -> str:
    """Cells of a 5-by-5 grid, mirrored left to right, from 15 bits of ``digest``."""
    bits = int.from_bytes(digest[2:4], "big")
    cells: list[str] = []
    for row in range(5):
        for column in range(3):
            if not bits >> (row * 3 + column) & 1:
                continue
            for x in {column, 4 - column}:
                cells.append(f"M{10 + x * 4} {10 + row * 4}h4v4h-4z")
    if not cells:  # an empty pattern would be a plain blob: keep the centre
        cells.append("M18 18h4v4h-4z")
    return f'<path class="av-fg" d="{"".join(sorted(cells))}"/>'


def avatar_svg(name: str, *, colour: str = "", shape: str = "", size: str = "") -> SafeString:
    """The avatar of ``name`` as inline SVG; ``colour`` and ``shape`` override what the name
    would give (unknown values are ignored)."""
    digest = hashlib.sha256(name.casefold().encode()).digest()
    chosen_colour = colour if colour in COLOURS else COLOURS[digest[0] % len(COLOURS)]
    chosen_shape = shape if shape in SHAPES else SHAPES[digest[1] % len(SHAPES)]
    size_class = f" avatar-{size}" if size and size in SIZES else ""
    html = (
        f'<svg class="avatar av-{escape(chosen_colour)}{size_class}" viewBox="0 0 40 40"'
        ' aria-hidden="true" focusable="false">'
        f"{_OUTLINES[AvatarShape(chosen_shape)]}{_pattern(digest)}</svg>"
    )
    # Safe: the only values from outside are checked against fixed choices.
    return mark_safe(html)  # noqa: S308


@register.simple_tag
def avatar(person: Any, size: str = "") -> SafeString:
    """A person's avatar as peer spaces show it (a missing person: a neutral one)."""
    if person is None:
        return avatar_svg("", colour=AvatarColour.SLATE, shape=AvatarShape.CIRCLE, size=size)
    return avatar_svg(
        str(person.pseudonym),
        colour=str(getattr(person, "avatar_colour", "") or ""),
        shape=str(getattr(person, "avatar_shape", "") or ""),
        size=size,
    )


@register.simple_tag
def name_avatar(name: object, size: str = "") -> SafeString:
    """The avatar of a name as written on the page, without anyone's choices."""
    return avatar_svg(str(name), size=size)


@register.simple_tag
def avatar_preview(person: Any, colour: str = "", shape: str = "") -> SafeString:
    """``person``'s avatar as it would look with ``colour`` and ``shape`` (for the picker)."""
    name = person["pseudonym"] if isinstance(person, dict) else person.pseudonym
    return avatar_svg(str(name), colour=colour, shape=shape)
