"""Generate the forum benchmark's community (``forum/bench_data.py``) in the configured database.

    python -m tandem.manage seed_bench --posts 100000 --topics 2000 --users 5000
    python -m tandem.manage seed_bench --reset ...   # drop the database (or delete the file) first

Runs on SQLite and PostgreSQL (``DATABASE_URL``): creates a missing PostgreSQL database,
migrates, then writes the data with a progress bar on stderr. Running again does nothing when
the data are there; a partly filled database needs ``--reset``, which only drops databases whose
name contains "bench". Prints ``TANDEM_SEED ...`` on stdout on success. Refuses to run with
``TANDEM_ENV=prod``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tandem.forum import bench_data
from tandem.forum.bench_data import BenchDataError, BenchSize


class _Bar:
    """A progress bar of posts written on stderr; steps are logged above it with their time."""

    def __init__(self, total: int) -> None:
        self.started = time.monotonic()
        self.bar = tqdm(total=total, unit="post", file=sys.stderr, dynamic_ncols=True)

    def posts_written(self, count: int) -> None:
        self.bar.update(count)

    def step(self, message: str) -> None:
        self.bar.write(f"  {message} ({time.monotonic() - self.started:.1f}s)", file=sys.stderr)

    def close(self) -> None:
        self.bar.close()


class Command(BaseCommand):
    help = "Generate the forum benchmark community (SQLite or PostgreSQL; not in prod)."
    # The database may not exist yet: nothing may connect before handle() has created it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        default = BenchSize()
        parser.add_argument("--users", type=int, default=default.users)
        parser.add_argument("--topics", type=int, default=default.topics)
        parser.add_argument(
            "--posts", type=int, default=default.posts, help="including opening posts"
        )
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

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_bench refuses to run with TANDEM_ENV=prod.")
        size = BenchSize(
            users=options["users"],
            topics=options["topics"],
            posts=options["posts"],
            categories=options["categories"],
            text_mean=options["text_mean"],
            short_topic_posts=options["short_topic_posts"],
            seed=options["seed"],
            jobs=options["jobs"],
            chunk_topics=options["chunk_topics"],
            screen=options["screen"],
            screen_sample=options["screen_sample"],
        )
        try:
            bench_data.prepare_database(reset=options["reset"], say=self._say)
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
            state = bench_data.seeded_state(size.posts)
            if state == "complete":
                self._out("TANDEM_SEED already there (use --reset to generate again)")
                return
            if state == "partial":
                raise CommandError("the bench database is partly filled: run again with --reset")
            bench_data.tune_for_bulk_writes()
            started = time.monotonic()
            bar = _Bar(size.posts)
            try:
                counts = bench_data.generate(size, bar)
            finally:
                bar.close()
        except BenchDataError as error:
            raise CommandError(str(error)) from error
        self._out(
            f"TANDEM_SEED users={counts.users} topics={counts.topics} "
            f"categories={counts.categories} posts={counts.posts} reactions={counts.reactions} "
            f"watches={counts.watches} reads={counts.reads} bench_user={counts.bench_user} "
            f"seconds={time.monotonic() - started:.1f}"
        )

    def _say(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def _out(self, message: str) -> None:
        # Flushed at once: callers read stdout and stderr merged into one pipe.
        self.stdout.write(message)
        self.stdout.flush()
