"""Generate Tandem's forum benchmark community (``bench/forum_seed.py``) in a database.

    .venv/bin/python bench/forum_data.py --posts 100000 --topics 2000 --users 5000
    .venv/bin/python bench/forum_data.py --reset ...        # drop the bench database first

The generator is ``bench/forum_seed.py`` (what it writes and why is described there); this
script sets Django up and keeps the defaults bench/forum_vs_peer.sh relies on: ``DATABASE_URL``
defaults to ``postgres://postgres@127.0.0.1:5432/tandem_bench`` (any SQLite or PostgreSQL URL
works), ``TANDEM_ENV`` to ``dev``, and a throwaway ``SECRET_KEY``. ``--help`` lists the options.

Runs on SQLite and PostgreSQL: creates a missing PostgreSQL database, migrates, then writes the
data with a progress bar on stderr. Running again does nothing when the data are there; a partly
filled database needs ``--reset``, which only drops databases whose name contains "bench".
Prints ``TANDEM_SEED ...`` on stdout on success. Refuses to run with ``TANDEM_ENV=prod``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management import call_command
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"


class _Bar:
    """A progress bar of posts written on stderr; steps are logged above it with their time."""

    def __init__(self, total: int, stderr: TextIO) -> None:
        self.started = time.monotonic()
        self.stderr = stderr
        self.bar = tqdm(total=total, unit="post", file=stderr, dynamic_ncols=True)

    def posts_written(self, count: int) -> None:
        self.bar.update(count)

    def step(self, message: str) -> None:
        self.bar.write(f"  {message} ({time.monotonic() - self.started:.1f}s)", file=self.stderr)

    def close(self) -> None:
        self.bar.close()


def argument_parser() -> argparse.ArgumentParser:
    from bench.forum_seed import BenchSize

    default = BenchSize()
    parser = argparse.ArgumentParser(
        prog="bench/forum_data.py",
        description="Generate the forum benchmark community (SQLite or PostgreSQL; not in prod).",
    )
    parser.add_argument("--users", type=int, default=default.users)
    parser.add_argument("--topics", type=int, default=default.topics)
    parser.add_argument("--posts", type=int, default=default.posts, help="including opening posts")
    parser.add_argument("--categories", type=int, default=default.categories)
    parser.add_argument("--text-mean", type=int, default=default.text_mean)
    parser.add_argument("--short-topic-posts", type=int, default=default.short_topic_posts)
    parser.add_argument("--seed", type=int, default=default.seed)
    parser.add_argument(
        "--jobs", type=int, default=default.jobs, help="processes rendering Markdown"
    )
    parser.add_argument("--chunk-topics", type=int, default=default.chunk_topics)
    parser.add_argument("--screen", choices=["sample", "all", "none"], default=default.screen)
    parser.add_argument("--screen-sample", type=int, default=default.screen_sample)
    parser.add_argument(
        "--reset", action="store_true", help="drop and recreate the bench database first"
    )
    return parser


def seed(argv: Sequence[str], *, stdout: TextIO, stderr: TextIO) -> int:
    """Generate the community as ``argv`` asks, in the database Django is set up with; return
    the exit status (0: written or already there)."""
    from bench import forum_seed
    from bench.forum_seed import BenchDataError, BenchSize

    options = argument_parser().parse_args(argv)
    if settings.TANDEM_ENV == "prod":
        print("error: bench/forum_data.py refuses to run with TANDEM_ENV=prod.", file=stderr)
        return 1
    size = BenchSize(
        users=options.users,
        topics=options.topics,
        posts=options.posts,
        categories=options.categories,
        text_mean=options.text_mean,
        short_topic_posts=options.short_topic_posts,
        seed=options.seed,
        jobs=options.jobs,
        chunk_topics=options.chunk_topics,
        screen=options.screen,
        screen_sample=options.screen_sample,
    )

    def say(message: str) -> None:
        print(message, file=stderr, flush=True)

    def out(message: str) -> None:
        # Flushed at once: callers read stdout and stderr merged into one pipe.
        print(message, file=stdout, flush=True)

    try:
        forum_seed.prepare_database(reset=options.reset, say=say)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        state = forum_seed.seeded_state(size.posts)
        if state == "complete":
            out("TANDEM_SEED already there (use --reset to generate again)")
            return 0
        if state == "partial":
            raise BenchDataError("the bench database is partly filled: run again with --reset")
        forum_seed.tune_for_bulk_writes()
        started = time.monotonic()
        bar = _Bar(size.posts, stderr)
        try:
            counts = forum_seed.generate(size, bar)
        finally:
            bar.close()
    except BenchDataError as error:
        print(f"error: {error}", file=stderr)
        return 1
    out(
        f"TANDEM_SEED users={counts.users} topics={counts.topics} "
        f"categories={counts.categories} posts={counts.posts} reactions={counts.reactions} "
        f"watches={counts.watches} reads={counts.reads} bench_user={counts.bench_user} "
        f"seconds={time.monotonic() - started:.1f}"
    )
    return 0


def main() -> None:
    # ``bench`` (this folder, as a package) and ``tandem`` without an installed checkout.
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("TANDEM_ENV", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    os.environ.setdefault("SECRET_KEY", "tandem-forum-bench-not-secret-" + "x" * 40)
    import django

    django.setup()
    sys.exit(seed(sys.argv[1:], stdout=sys.stdout, stderr=sys.stderr))


if __name__ == "__main__":
    main()
