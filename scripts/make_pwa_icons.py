"""Draw Tandem's app icons (web app manifest, home screens) into web/static/web/icons/.

    .venv/bin/python scripts/make_pwa_icons.py

The mark is the header's: two overlapping rings (``base.html``, ``.brand-mark``), white on the
accent colour of the design tokens (``--accent`` in ``web/static/web/tandem.css``). Plain
Python (zlib) so it runs in the project's own environment; each ring is anti-aliased from its
distance field, so no supersampling and no image library is needed. The output is committed;
run this again only when the mark or the accent colour changes.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSS = ROOT / "src" / "tandem" / "web" / "static" / "web" / "tandem.css"
OUT = ROOT / "src" / "tandem" / "web" / "static" / "web" / "icons"

# The header's mark in its 32-unit box: rings at x 12 and 20, radius 8, stroke 3.
RINGS = ((12.0, 16.0), (20.0, 16.0))
RADIUS = 8.0
STROKE = 3.0
WHITE = (255, 255, 255)


def accent_colour() -> tuple[int, int, int]:
    root = CSS.read_text(encoding="utf-8").split("@media", 1)[0]
    match = re.search(r"--accent:\s*#([0-9a-fA-F]{6})", root)
    if not match:
        raise SystemExit("--accent not found in tandem.css")
    value = match.group(1)
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _coverage(distance: float) -> float:
    """How much of a pixel a shape covers, from the signed distance to its edge (pixels)."""
    return min(1.0, max(0.0, 0.5 - distance))


def draw(size: int, *, mark_share: float, corner: float) -> list[tuple[int, int, int, int]]:
    """RGBA pixels: a square of accent (corners rounded by ``corner`` of its size; 0 for a
    maskable icon, which the platform crops) with the mark ``mark_share`` of its width."""
    background = accent_colour()
    scale = size * mark_share / 32.0
    offset = (size - 32.0 * scale) / 2.0
    radius = corner * size
    pixels: list[tuple[int, int, int, int]] = []
    for row in range(size):
        y = row + 0.5
        for column in range(size):
            x = column + 0.5
            # The rounded square's signed distance (negative inside).
            qx = abs(x - size / 2) - (size / 2 - radius)
            qy = abs(y - size / 2) - (size / 2 - radius)
            square = math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0) - radius
            alpha = _coverage(square)
            ring = 0.0
            for cx, cy in RINGS:
                centre_distance = math.hypot(x - (offset + cx * scale), y - (offset + cy * scale))
                ring = max(
                    ring, _coverage(abs(centre_distance - RADIUS * scale) - STROKE * scale / 2)
                )
            colour = tuple(
                round(b + (w - b) * ring) for b, w in zip(background, WHITE, strict=True)
            )
            pixels.append((colour[0], colour[1], colour[2], round(alpha * 255)))
    return pixels


def png(size: int, pixels: list[tuple[int, int, int, int]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = bytearray()
    for row in range(size):
        raw.append(0)  # filter: none
        for red, green, blue, alpha in pixels[row * size : (row + 1) * size]:
            raw += bytes((red, green, blue, alpha))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def svg() -> str:
    red, green, blue = accent_colour()
    rings = "".join(f'<circle cx="{cx:g}" cy="{cy:g}" r="{RADIUS:g}"/>' for cx, cy in RINGS)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="6" fill="#{red:02x}{green:02x}{blue:02x}"/>'
        f'<g transform="translate(4.8 4.8) scale(0.7)" fill="none" stroke="#fff" '
        f'stroke-width="{STROKE:g}">{rings}</g></svg>\n'
    )


# name: (size, share of the width the mark takes, corner radius as a share of the size).
# A maskable icon keeps its mark inside the central 80 % circle every platform mask leaves.
ICONS = {
    "icon-192.png": (192, 0.7, 0.1875),
    "icon-512.png": (512, 0.7, 0.1875),
    "icon-maskable-512.png": (512, 0.55, 0.0),
    "apple-touch-icon.png": (180, 0.6, 0.0),  # iOS rounds the corners itself
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (size, share, corner) in ICONS.items():
        (OUT / name).write_bytes(png(size, draw(size, mark_share=share, corner=corner)))
    (OUT / "icon.svg").write_text(svg(), encoding="utf-8")
    print(f"Wrote {len(ICONS) + 1} icons to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
