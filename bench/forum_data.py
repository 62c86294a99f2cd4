"""Generate Tandem's forum benchmark community: a thin wrapper of ``manage.py seed_bench``.

    .venv/bin/python bench/forum_data.py --posts 100000 --topics 2000 --users 5000
    .venv/bin/python bench/forum_data.py --reset ...        # drop the bench database first

The generator lives in the forum app (``src/tandem/forum/bench_data.py``, what it writes and
why is described there); this script only keeps the defaults bench/forum_vs_peer.sh relies on:
``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/tandem_bench`` (any SQLite or
PostgreSQL URL works), ``TANDEM_ENV`` to ``dev``, and a throwaway ``SECRET_KEY``. Every option
is passed to the command (``--help`` lists them); prints ``TANDEM_SEED ...`` on success.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("TANDEM_ENV", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("SECRET_KEY", "tandem-forum-bench-not-secret-" + "x" * 40)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", "seed_bench", *sys.argv[1:]])


if __name__ == "__main__":
    main()
