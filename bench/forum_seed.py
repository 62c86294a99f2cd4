"""A forum community the size of the peer benchmark, generated fast (``bench/forum_data.py``).

It writes with ``bulk_create`` (and a few set-based statements), never through the services one
post at a time, but every row has the shape the services give it:

* users with a verified primary email (allauth), a ``service_user`` role in one organisation,
  a membership of the community with the current code of conduct accepted;
* topics in 10 categories, posts with ``body_html = render_markdown(body)`` stored at write
  time, ``published_at``, ``reply_count`` and ``last_posted_at`` kept as publishing keeps them;
* the full-text index as ``forum/search.py`` keeps it: on PostgreSQL ``Post.search_vector``
  with the same SQL expression (title weight A for opening posts, body weight B), on SQLite
  the FTS5 table ``forum_post_fts`` (the title for opening posts, empty for replies);
* what publishing and reading leave behind: a topic watch for every author in a topic, a
  "last read" marker per author at their last post, a community visit per author per posting
  day, reactions (0-5 per post, never on one's own post), and for the benchmark user
  (``user00001``) read markers on half of the topics and the reply notifications their watches
  produced (all read but the newest twelve). Notifications of the other people are not
  generated (about 2.4 million rows at 5,000 people that only the recipient's own index reaches).
* Risk screening: the text comes from the peer seed's vocabulary, which fires no rule. A sample
  of posts is screened by the rules and generation stops if any rule fires, since services would
  then record decisions or hold posts. The second reader raises about one of these random
  word strings in a thousand; those are kept as published (see ``_check_screening``). Pre-moderation of new members' first posts (the default community
  settings) is taken as done: every post is visible, as after moderators approved them; that
  moderation trail is not generated, and no forum page reads it.

Sizes follow the peer seed (``shared/bench/spirit/seed.py``, beside the repository): posts
spread evenly over topics, the same words and text length (gaussian, mean 400 characters, sd
40 %), topics dated over 300 days of the past year, replies 1-600 minutes apart. One deviation: the first topic has
``short_topic_posts`` posts (20, the peer's page size) and the second topic takes the posts it
gives up, so the totals are unchanged. The same seed gives the same data on both databases.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import DateField, OuterRef, Subquery, TextField, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.core.markdown import render_markdown
from tandem.forum.models import (
    Audience,
    Category,
    Community,
    CommunityMember,
    Post,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    Visibility,
    Watch,
)
from tandem.forum.selectors import COMMUNITY_SCOPE
from tandem.moderation import screening
from tandem.moderation.models import CommunityVisit
from tandem.notifications.models import Notification

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic accounts on a local bench
BENCH_USER_EMAIL = "user00001@bench.tandem.test"
ORG_SLUG = "bench"
COMMUNITY_SLUG = "peer-support"
BATCH = 2000

# The peer seed's vocabulary and category names (copied: importing seed.py sets Spirit up).
_VOCABULARY = (
    "the a and to of I it that is was for on in with my me but not have this so "
    "just be at like what do feel feeling felt today week day night sleep tired "
    "anxious anxiety worry worried calm breathe breathing talk talked friend family "
    "therapist therapy session group support thanks thank you really helped help "
    "hard difficult better worse again still trying try small steps walk outside "
    "journal writing morning evening work school job stress stressed panic attack "
    "low mood energy motivation routine eat meal water medication doctor appointment "
    "remember kind yourself proud progress setback okay alright hope hopeful lonely "
    "alone together listen heard understand same here too know how much time "
    "because when then after before about think thought maybe sometimes often never "
    "always people someone everyone nobody myself honest share sharing post reply "
    "advice tips grounding exercise five things see hear touch smell taste music"
)
WORDS = _VOCABULARY.split()
CATEGORY_NAMES = [
    "Anxiety", "Depression", "Loneliness", "Sleep", "Stress at work",
    "Relationships", "Grief and loss", "Self-care", "Recovery stories", "General chat",
    "Parenting", "Students", "Trauma", "Eating", "Mindfulness",
]  # fmt: skip
CODE_OF_CONDUCT = (
    "1. Be kind. Everyone here is finding their own way.\n"
    "2. Use your display name only.\n"
    "3. Talk about your own experience; no medical advice.\n"
    '4. If you are worried about your safety, use "Need help now?" at the top of every page.\n'
)

Screen = Literal["sample", "all", "none"]


class BenchDataError(Exception):
    """The data cannot be generated as asked (bad sizes, a partly filled database, a rule that
    fires on the generated text)."""


@dataclass(frozen=True)
class BenchSize:
    users: int = 5000
    topics: int = 2000
    posts: int = 100_000  # including opening posts
    categories: int = 10
    text_mean: int = 400
    short_topic_posts: int = 20
    seed: int = 42
    jobs: int = 2  # processes rendering Markdown; 1 renders in this process
    chunk_topics: int = 200
    screen: Screen = "sample"
    screen_sample: int = 2000


@dataclass
class BenchCounts:
    users: int = 0
    categories: int = 0
    topics: int = 0
    posts: int = 0
    reactions: int = 0
    watches: int = 0
    reads: int = 0
    notifications: int = 0
    bench_user: str = ""


class Reporter(Protocol):
    """Where generation tells how far it got: a progress bar, a log, or nothing."""

    def posts_written(self, count: int) -> None: ...

    def step(self, message: str) -> None: ...


class SilentReporter:
    def posts_written(self, count: int) -> None:
        pass

    def step(self, message: str) -> None:
        pass


# --- the database ----------------------------------------------------------------------------


def prepare_database(*, reset: bool, say: Callable[[str], None]) -> None:
    """Create the configured database if it is missing (PostgreSQL); with ``reset``, drop it
    first (PostgreSQL) or delete its file (SQLite).

    Raise :class:`BenchDataError` when asked to reset a database whose name does not contain
    "bench": only benchmark databases are ever dropped. Call before anything opens a connection.
    """
    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    vendor = connection.vendor
    if reset and "bench" not in Path(name).name:
        raise BenchDataError(
            f"--reset only drops databases whose name contains 'bench', not {name!r}"
        )
    if reset:
        connection.close()  # before its database goes away
    if vendor == "sqlite":
        if reset:
            for suffix in ("", "-wal", "-shm", "-journal"):
                path = Path(name + suffix)
                if path.exists():
                    say(f"deleting {path}")
                    path.unlink()
        return
    if vendor != "postgresql":
        raise BenchDataError(f"bench/forum_data.py runs on SQLite or PostgreSQL, not {vendor}")
    import psycopg

    admin = psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=int(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            say(f"dropping database {name}")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            say(f"creating database {name}")
            admin.execute(f'CREATE DATABASE "{name}"')


def tune_for_bulk_writes() -> None:
    """SQLite: WAL (kept in the file: the servers read it in WAL mode too, as the default
    settings configure) and fewer syncs for this connection. Nothing on PostgreSQL."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def seeded_state(posts_wanted: int) -> Literal["empty", "complete", "partial"]:
    if not Organisation.objects.filter(slug=ORG_SLUG).exists():
        return "empty"
    count = Post.objects.filter(topic__community__organisation__slug=ORG_SLUG).count()
    return "complete" if count == posts_wanted else "partial"


# --- text, as the peer seed makes it ---------------------------------------------------------


def make_text(rng: random.Random, text_mean: int) -> str:
    def sentence(lo: int = 4, hi: int = 16) -> str:
        words = [rng.choice(WORDS) for _n in range(rng.randint(lo, hi))]
        words[0] = words[0].capitalize()
        return " ".join(words) + rng.choice(".....?!")

    target = max(60, min(3 * text_mean, int(rng.gauss(text_mean, 0.4 * text_mean))))
    paras: list[str] = []
    cur: list[str] = []
    length = 0
    while length < target:
        s = sentence()
        cur.append(s)
        length += len(s) + 1
        if len(cur) >= rng.randint(3, 6):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(paras)


def make_title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _n in range(rng.randint(4, 10))]
    words[0] = words[0].capitalize()
    return " ".join(words)[:150]


def _render(texts: list[str]) -> list[str]:
    return [str(render_markdown(text)) for text in texts]


def _check_screening(texts: list[str]) -> None:
    # The rules alone: the second reader (trained on real wording) raises about one of these
    # word-salad posts in a thousand ("nobody", "alone" and "worse" strung at random). Those
    # are kept as published, as if a moderator had released them: no forum page a member sees
    # reads the screening records, and keeping the peer's text matters more here.
    for text in texts:
        fired = screening.screen(text, use_model=False).fired
        if fired:
            raise BenchDataError(
                f"screening rule {fired[0].id} fired on generated text; services would record "
                "it (or hold the post): change the vocabulary"
            )


# --- the generator ---------------------------------------------------------------------------


def posts_per_topic(size: BenchSize) -> list[int]:
    """The peer's even spread of posts over topics, but the first topic is short."""
    base, extra = divmod(size.posts, size.topics)
    per_topic = [base + (1 if i < extra else 0) for i in range(size.topics)]
    short = size.short_topic_posts
    if short and size.topics > 1 and per_topic[0] > short:
        per_topic[1] += per_topic[0] - short
        per_topic[0] = short
    return per_topic


@contextmanager
def _historical_dates() -> Iterator[None]:
    """Let rows keep the dates given to them: ``auto_now_add`` would stamp every one "now".

    The flags live on the model fields of the whole process, so they are put back afterwards.
    """
    fields = [
        field
        for model, name in (
            (Post, "created_at"),
            (Topic, "created_at"),
            (CommunityMember, "joined_at"),
            (Reaction, "created_at"),
            (Membership, "created_at"),
            (Notification, "created_at"),
        )
        if isinstance(field := model._meta.get_field(name), DateField)
    ]
    saved = [field.auto_now_add for field in fields]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in zip(fields, saved, strict=True):
            field.auto_now_add = value


def generate(size: BenchSize, reporter: Reporter | None = None) -> BenchCounts:
    """Write the benchmark community into an empty database and return what was written.

    Raise :class:`BenchDataError` if the sizes do not fit or a screening rule fires.
    """
    if size.users < 1 or size.topics < 1 or size.categories < 1:
        raise BenchDataError("--users, --topics and --categories must be at least 1")
    if size.posts < size.topics:
        raise BenchDataError("--posts must be at least --topics (every topic has its opening post)")
    with _historical_dates():
        return _generate(size, reporter or SilentReporter())


def _generate(size: BenchSize, reporter: Reporter) -> BenchCounts:

    rng = random.Random(size.seed)  # synthetic data, not secrets
    start = timezone.now() - timedelta(days=365)
    counts = BenchCounts(users=size.users)

    community, users, categories = _people(size, start)
    counts.categories = len(categories)
    reporter.step(f"people: {size.users} users, members of '{community.name}'")
    user_ids = [u.pk for u in users]
    pseudonym = {u.pk: u.pseudonym for u in users}
    bench_user = users[1] if len(users) > 1 else users[0]
    counts.bench_user = bench_user.email

    per_topic = posts_per_topic(size)
    pool = ProcessPoolExecutor(max_workers=size.jobs) if size.jobs > 1 else None
    reply_title = _("%(name)s replied to “%(topic)s”")
    written: dict[str, int] = defaultdict(int)
    bench_watch_since: dict[int, datetime] = {}  # topic id -> when the bench user began watching
    bench_notifications: list[Notification] = []
    screened = 0
    chunk = max(1, size.chunk_topics)
    try:
        for first in range(0, size.topics, chunk):
            topics: list[Topic] = []
            texts: list[list[str]] = []
            dates: list[list[datetime]] = []
            authors: list[list[int]] = []
            for i in range(first, min(first + chunk, size.topics)):
                t_date = start + timedelta(seconds=rng.randint(0, 300 * 24 * 3600))
                author = rng.choice(user_ids)
                d = t_date
                t_dates: list[datetime] = []
                t_texts: list[str] = []
                t_authors: list[int] = []
                for j in range(per_topic[i]):
                    if j:
                        d = d + timedelta(minutes=rng.randint(1, 600))
                    t_dates.append(d)
                    t_texts.append(make_text(rng, size.text_mean))
                    t_authors.append(author if j == 0 else rng.choice(user_ids))
                topics.append(
                    Topic(
                        community=community,
                        category=categories[i % len(categories)],
                        author_id=author,
                        title=make_title(rng),
                        visibility=Visibility.COMMUNITY,
                        created_at=t_date,
                        last_posted_at=d,
                        reply_count=per_topic[i] - 1,
                    )
                )
                texts.append(t_texts)
                dates.append(t_dates)
                authors.append(t_authors)
            flat = [text for t_texts in texts for text in t_texts]
            # Services screen every post (an opening post with its title); this vocabulary
            # fires no rule, which a sample (or --screen all) confirms (see _check_screening).
            if size.screen != "none":
                screen_texts = [
                    f"{topic.title}\n{text}" if j == 0 else text
                    for topic, t_texts in zip(topics, texts, strict=True)
                    for j, text in enumerate(t_texts)
                ]
                left = len(screen_texts) if size.screen == "all" else size.screen_sample - screened
                sample = screen_texts[: max(0, left)]
                _check_screening(sample)
                screened += len(sample)
            if pool is not None:
                part = max(1, len(flat) // (size.jobs * 4))
                parts = [flat[k : k + part] for k in range(0, len(flat), part)]
                html = [h for rendered in pool.map(_render, parts) for h in rendered]
            else:
                html = _render(flat)

            with transaction.atomic():
                Topic.objects.bulk_create(topics, batch_size=BATCH)
                posts: list[Post] = []
                k = 0
                for topic, t_texts, t_dates, t_authors in zip(
                    topics, texts, dates, authors, strict=True
                ):
                    for j, (text, d, author) in enumerate(
                        zip(t_texts, t_dates, t_authors, strict=True)
                    ):
                        posts.append(
                            Post(
                                topic=topic,
                                author_id=author,
                                is_opening=j == 0,
                                body=text,
                                body_html=html[k],
                                created_at=d,
                                published_at=d,
                            )
                        )
                        k += 1
                Post.objects.bulk_create(posts, batch_size=BATCH)

                reactions: list[Reaction] = []
                watches: dict[tuple[int, int], None] = {}
                reads: dict[tuple[int, int], datetime] = {}
                visits: set[tuple[int, date]] = set()
                kinds = list(ReactionKind)
                for post in posts:
                    topic_id, author = post.topic_id, post.author_id
                    published = post.created_at
                    given: set[tuple[int, str]] = set()
                    for _n in range(rng.randint(0, 5)):
                        who = rng.choice(user_ids)
                        kind = rng.choice(kinds)
                        if who == author or (who, kind) in given:
                            continue
                        given.add((who, kind))
                        reactions.append(
                            Reaction(
                                post=post,
                                user_id=who,
                                kind=kind,
                                created_at=published + timedelta(minutes=rng.randint(1, 2880)),
                            )
                        )
                    # create_topic / reply_to_topic: the author watches the topic; the page
                    # they are sent to afterwards marks it read; the visit counts towards trust.
                    watches[(author, topic_id)] = None
                    reads[(author, topic_id)] = published
                    visits.add((author, published.date()))
                    # _notify_reply: watchers other than the author hear of a reply.
                    if (
                        not post.is_opening
                        and topic_id in bench_watch_since
                        and author != bench_user.pk
                    ):
                        bench_notifications.append(
                            Notification(
                                recipient=bench_user,
                                actor_id=author,
                                kind="forum.reply",
                                title=(
                                    reply_title
                                    % {"name": pseudonym[author], "topic": post.topic.title}
                                )[:200],
                                url=reverse("forum:topic-detail", kwargs={"topic_id": topic_id})
                                + f"#post-{post.pk}",
                                scope_type=COMMUNITY_SCOPE,
                                scope_id=community.pk,
                                created_at=published,
                            )
                        )
                    if author == bench_user.pk and topic_id not in bench_watch_since:
                        bench_watch_since[topic_id] = published
                # The benchmark user has read half of the topics, some before their last replies.
                for topic, t_dates in zip(topics, dates, strict=True):
                    if rng.random() < 0.5 and (bench_user.pk, topic.pk) not in reads:
                        reads[(bench_user.pk, topic.pk)] = rng.choice(t_dates)
                Reaction.objects.bulk_create(reactions, batch_size=BATCH)
                Watch.objects.bulk_create(
                    [Watch(user_id=u, topic_id=t) for (u, t) in watches], batch_size=BATCH
                )
                TopicRead.objects.bulk_create(
                    [
                        TopicRead(user_id=u, topic_id=t, last_read_at=at)
                        for (u, t), at in reads.items()
                    ],
                    batch_size=BATCH,
                )
                CommunityVisit.objects.bulk_create(
                    [CommunityVisit(community=community, user_id=u, day=day) for u, day in visits],
                    batch_size=BATCH,
                    ignore_conflicts=True,
                )
            written["topics"] += len(topics)
            written["posts"] += len(posts)
            written["reactions"] += len(reactions)
            written["watches"] += len(watches)
            written["reads"] += len(reads)
            reporter.posts_written(len(posts))
    finally:
        if pool is not None:
            pool.shutdown()
    counts.topics, counts.posts = written["topics"], written["posts"]
    counts.reactions, counts.watches, counts.reads = (
        written["reactions"],
        written["watches"],
        written["reads"],
    )

    # Notifications of the benchmark user: read, except the newest twelve.
    bench_notifications.sort(key=lambda n: n.created_at)
    for notification in bench_notifications[:-12]:
        notification.read_at = notification.created_at + timedelta(hours=1)
    Notification.objects.bulk_create(bench_notifications, batch_size=BATCH)
    counts.notifications = len(bench_notifications)
    reporter.step(f"notifications of {bench_user.pseudonym}: {len(bench_notifications)}")

    fill_search_index(community)
    reporter.step("search index filled")
    finish_database()
    reporter.step("statistics for the planner gathered")
    return counts


def _people(size: BenchSize, start: datetime) -> tuple[Community, list[User], list[Category]]:
    password = make_password(BENCH_PASSWORD)  # hashed once, shared by every account
    with transaction.atomic():
        organisation = Organisation.objects.create(name="Bench Trust", slug=ORG_SLUG)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"user{i:05d}@bench.tandem.test",
                    pseudonym=f"user{i:05d}",
                    password=password,
                    date_joined=start + timedelta(minutes=i),
                )
                for i in range(size.users)
            ],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=u,
                    organisation=organisation,
                    role=Role.SERVICE_USER,
                    created_at=u.date_joined,
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        community = Community.objects.create(
            organisation=organisation,
            name="Peer support",
            slug=COMMUNITY_SLUG,
            description="Peer support for people who use the Bench Trust's services.",
            audience=Audience.MIXED,
            code_of_conduct=CODE_OF_CONDUCT,
        )
        CommunityMember.objects.bulk_create(
            [
                CommunityMember(
                    community=community,
                    user=u,
                    accepted_conduct_version=community.code_of_conduct_version,
                    joined_at=u.date_joined,
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        names = [
            CATEGORY_NAMES[i % len(CATEGORY_NAMES)] + ("" if i < len(CATEGORY_NAMES) else f" {i}")
            for i in range(size.categories)
        ]
        categories = Category.objects.bulk_create(
            [
                Category(
                    community=community,
                    name=name,
                    description=f"Peer support: {name.lower()}",
                    position=i,
                )
                for i, name in enumerate(names)
            ]
        )
    return community, users, categories


def fill_search_index(community: Community) -> None:
    """Index every published post of ``community`` as ``search.index_post`` would, in a few
    set-based statements."""
    in_community = Post.objects.filter(topic__community=community, is_draft=False)
    if connection.vendor == "postgresql":
        body_vector = SearchVector("body", weight="B", config="english")
        in_community.filter(is_opening=False).update(
            search_vector=SearchVector(
                Value("", output_field=TextField()), weight="A", config="english"
            )
            + body_vector
        )
        title = Subquery(Topic.objects.filter(pk=OuterRef("topic_id")).values("title")[:1])
        in_community.filter(is_opening=True).update(
            search_vector=SearchVector(title, weight="A", config="english") + body_vector
        )
        return
    post_table, topic_table = Post._meta.db_table, Topic._meta.db_table
    with connection.cursor() as cursor:
        # Table names come from the models, not from input.
        cursor.execute(
            f"INSERT INTO forum_post_fts (rowid, title, body) "  # noqa: S608
            f"SELECT p.id, CASE WHEN p.is_opening THEN t.title ELSE '' END, p.body "
            f"FROM {post_table} p JOIN {topic_table} t ON t.id = p.topic_id "
            f"WHERE t.community_id = %s AND NOT p.is_draft AND p.deleted_at IS NULL",
            [community.pk],
        )
        # Merge the index's segments, as FTS5's automatic merging does over time.
        cursor.execute("INSERT INTO forum_post_fts (forum_post_fts) VALUES ('optimize')")


def finish_database() -> None:
    """Gather the planner's statistics and write everything out, as a database that has run
    for a while would have them. VACUUM cannot run inside a transaction (a caller's atomic
    block, as in tests): only ANALYZE runs then."""
    outside = not connection.in_atomic_block
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE" if outside else "ANALYZE")
            if outside:
                cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            if outside:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
