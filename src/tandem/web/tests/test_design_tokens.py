"""Every text and control colour pair of the design tokens meets WCAG 2.2 AA, in both themes.

The tokens are read from ``web/static/web/tandem.css`` itself (the light ``:root`` block, then
the dark one overriding it), so a changed colour is checked here before any browser runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "static" / "web" / "tandem.css"

TEXT = 4.5  # WCAG 1.4.3, normal text
CONTROL = 3.0  # WCAG 1.4.11, borders of controls and focus indicators

# (foreground, background, minimum): text on the surfaces it is used on.
PAIRS = [
    *((fg, bg, TEXT) for fg in ("fg", "muted", "accent", "danger", "ok") for bg in ("bg", "card")),
    ("fg", "raised", TEXT),
    ("accent-fg", "accent", TEXT),
    ("bg", "danger", TEXT),  # .button.danger, .badge-danger
    ("exit-fg", "exit", TEXT),  # Quick exit
    ("focus-fg", "focus", TEXT),  # skip link
    ("accent", "accent-soft", TEXT),
    ("fg", "accent-soft", TEXT),
    ("ok", "ok-soft", TEXT),  # .badge-professional
    ("warn", "warn-soft", TEXT),
    ("fg", "warn-soft", TEXT),  # .before-writing, .moderation-banner
    ("line-strong", "bg", CONTROL),  # input borders
    ("line-strong", "card", CONTROL),
]


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def themes() -> dict[str, dict[str, str]]:
    css = CSS.read_text()
    light = _tokens(css[: css.index("@media (prefers-color-scheme: dark)")])
    dark_block = css[css.index("@media (prefers-color-scheme: dark)") :]
    dark = {**light, **_tokens(dark_block[: dark_block.index("\n}\n")])}
    return {"light": light, "dark": dark}


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_token_pair_meets_wcag_aa(theme: str) -> None:
    tokens = themes()[theme]
    failures = [
        f"{fg} on {bg}: {contrast(tokens[fg], tokens[bg]):.2f} < {minimum}"
        for fg, bg, minimum in PAIRS
        if contrast(tokens[fg], tokens[bg]) < minimum
    ]
    assert not failures, f"{theme}: " + "; ".join(failures)


def test_avatar_colours_keep_white_patterns_visible() -> None:
    css = CSS.read_text()
    colours = re.findall(r"\.av-\d \{ --av: (#[0-9a-fA-F]{6}); \}", css)
    assert len(colours) == 8
    assert all(contrast(colour, "#ffffff") >= TEXT for colour in colours)
