"""Time render_markdown on a realistic 100 KB post and on the slowest hostile shapes known.

Run: ``.venv/bin/python bench/bench_markdown.py [repeats]``. Prints the median time per render.
Not part of the test suite: the figures depend on the machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
django.setup()

from tandem.core.markdown import MAX_INPUT_CHARS, render_markdown  # noqa: E402

_PARAGRAPH = (
    "## A better week\n\n"
    "I tried the *breathing exercise* from the [toolbox](https://tandem.example/toolbox/) "
    "three times, and **it helped** more than I expected.\n\n"
    "- slept before midnight\n- walked to the shop\n- called my sister\n\n"
    "> Small steps still count.\n\n"
    "| day | mood |\n|-----|------|\n| Mon | 4 |\n| Tue | 6 |\n\n"
    "`note to self`: keep going.\n\n"
)


def realistic_post() -> str:
    return (_PARAGRAPH * (MAX_INPUT_CHARS // len(_PARAGRAPH) + 1))[:MAX_INPUT_CHARS]


CASES = {
    "realistic 100 KB post": realistic_post(),
    "100 KB of '['": "[" * MAX_INPUT_CHARS,
    "100 KB of '*a'": "*a" * (MAX_INPUT_CHARS // 2),
    "50,000 table rows of '|'": "|a|b|\n|-|-|\n" + "|\n" * ((MAX_INPUT_CHARS - 12) // 2),
    "10,000 nested '>'": ">" * 10_000 + " deep",
}


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, text in CASES.items():
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            render_markdown(text)
            timings.append(time.perf_counter() - start)
        print(f"{name:28} {len(text):>7} chars  median {statistics.median(timings) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
