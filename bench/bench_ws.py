"""Live messaging load: N WebSocket clients on the running portal, M messages, delivery latency.

Not a test. Run it against a portal started with the same environment (same database, and
REDIS_URL so the channel layer is shared; without Redis the socket process only polls the
database every two seconds and the figures measure that instead):

    export DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/0
    python -m granian --interface asginl --port 8001 --workers 2 --respawn-failed-workers tandem.asgi:application &
    .venv/bin/python bench/bench_ws.py --ws ws://127.0.0.1:8001 --clients 200 --messages 200

It creates its own organisation ("bench-ws"), people, care relationships and threads (again on
each run), logs each person in by creating a session, connects the clients (spread over the
threads, as the service user or the provider of each), and sends messages through
``messaging.services.send_message`` (stored, committed, then published, as a page would).
The sender is a separate process (as a page worker is). Latency is from just before the send
call to the moment a client receives the message, so it includes storing and committing the
message; every client subscribed to the thread counts as one delivery. The send call's own
time is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from tandem.accounts.models import Membership, Organisation, Role, User  # noqa: E402
from tandem.care.models import Agreement, CareRelationship, RelationshipStatus  # noqa: E402
from tandem.messaging import services  # noqa: E402
from tandem.messaging.models import Participant, Side, Thread  # noqa: E402


def make_provider(organisation: Organisation, name: str) -> User:
    provider = User.objects.create_user(email=f"{name}@bench.invalid", pseudonym=name)
    Membership.objects.create(
        user=provider,
        organisation=organisation,
        role=Role.PROVIDER,
        verified_at=timezone.now(),
    )
    # Providers need two-step verification, or the socket refuses them (as pages do).
    TOTP.activate(provider, generate_totp_secret())
    return provider


def setup(threads: int, providers: int) -> tuple[list[tuple[Thread, User, User]], dict[int, str]]:
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-ws", defaults={"name": "Bench"}
    )
    run = uuid.uuid4().hex[:6]
    staff = [make_provider(organisation, f"bench-provider-{run}-{i}") for i in range(providers)]
    made = []
    for index in range(threads):
        provider = staff[index % len(staff)]
        person = User.objects.create_user(
            email=f"bench-{run}-{index}@bench.invalid", pseudonym=f"bench-{run}-{index}"
        )
        Membership.objects.create(user=person, organisation=organisation, role=Role.SERVICE_USER)
        relationship = CareRelationship.objects.create(
            service_user=person,
            provider=provider,
            organisation=organisation,
            status=RelationshipStatus.ACTIVE,
            started_at=timezone.now(),
        )
        Agreement.objects.create(relationship=relationship)
        thread = Thread.objects.create(service_user=person, subject=f"Bench {index}")
        Participant.objects.create(thread=thread, user=person, side=Side.SERVICE_USER)
        Participant.objects.create(thread=thread, user=provider, side=Side.CARE_TEAM)
        made.append((thread, person, provider))
    sessions = {}
    for user in {*staff, *(person for _, person, _ in made)}:
        client = Client()
        client.force_login(user)
        sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return made, sessions


async def client_task(
    url: str,
    origin: str,
    session: str,
    thread_id: int,
    ready: asyncio.Event,
    ready_count: list[int],
    clients: int,
    received: list[tuple[int, float]],
    done: asyncio.Event,
) -> None:
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "Origin": origin}
    async with connect(url, additional_headers=headers, max_queue=None) as socket:
        await socket.send(json.dumps({"type": "subscribe", "thread": thread_id, "after": 0}))
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "subscribed":
                break
        ready_count[0] += 1
        if ready_count[0] == clients:
            ready.set()
        while not done.is_set():
            try:
                raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame["type"] == "messages":
                received.extend((m["id"], now) for m in frame["messages"])


def send_one(thread: Thread, sender: User, index: int) -> tuple[int, float, float]:
    started = time.perf_counter()
    result = services.send_message(
        sender=sender, thread=thread, body=f"Bench message {index}", client_key=uuid.uuid4()
    )
    return result.message.pk, started, time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    if not settings.REDIS_URL:
        print("Warning: REDIS_URL is not set; the socket process polls every 2 s without it.")
    threads, sessions = await asyncio.to_thread(setup, args.threads, args.providers)
    url = f"{args.ws.rstrip('/')}/ws/messaging/"
    origin = args.ws.replace("ws://", "http://").replace("wss://", "https://")
    ready, done = asyncio.Event(), asyncio.Event()
    ready_count = [0]
    received: list[tuple[int, float]] = []
    subscribers: dict[int, int] = {}
    tasks = []
    connect_started = time.perf_counter()
    for index in range(args.clients):
        thread, person, provider = threads[index % len(threads)]
        # Both sides in every thread (a person's phone and laptop, the provider's tabs).
        user = provider if (index // len(threads)) % 2 else person
        # The real session cookie from the database: who this socket is, never a client claim.
        subscribers[thread.pk] = subscribers.get(thread.pk, 0) + 1
        tasks.append(
            asyncio.create_task(
                client_task(
                    url,
                    origin,
                    sessions[user.pk],
                    thread.pk,
                    ready,
                    ready_count,
                    args.clients,
                    received,
                    done,
                )
            )
        )
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(
        f"{args.clients} clients connected and subscribed in {time.perf_counter() - connect_started:.1f} s"
    )

    sent: dict[int, tuple[float, int]] = {}
    send_times: list[float] = []
    returned: dict[int, float] = {}
    # The sender runs in its own process, as a page worker would: sharing this process's GIL
    # with 200 receiving clients would time the bench client, not the portal.
    plan = ",".join(f"{thread.pk}:{person.pk}" for thread, person, _ in threads)
    sender = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--send-only",
        plan,
        "--messages",
        str(args.messages),
        "--rate",
        str(args.rate),
        stdout=asyncio.subprocess.PIPE,
    )
    started = time.perf_counter()
    if sender.stdout is None:
        raise RuntimeError("the sender process has no output")
    async for line in sender.stdout:
        message_id, thread_id, at, took = line.decode().split()
        sent[int(message_id)] = (float(at), subscribers.get(int(thread_id), 0))
        send_times.append(float(took) * 1000)
        returned[int(message_id)] = float(at) + float(took)
    await sender.wait()
    expected = sum(count for _, count in sent.values())
    deadline = time.perf_counter() + 10
    while len(received) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    latencies = sorted((at - sent[mid][0]) * 1000 for mid, at in received if mid in sent)
    if not latencies:
        print("No deliveries.")
        return
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"messages sent:        {len(sent)} at {args.rate}/s to {len(threads)} threads"
        f" ({args.providers} providers)"
    )
    print(f"deliveries:           {len(latencies)} of {expected} expected")
    send_times.sort()
    print(
        f"send call (store+commit+publish) p50 / p99: {statistics.median(send_times):.1f} ms"
        f" / {send_times[min(len(send_times) - 1, int(len(send_times) * 0.99))]:.1f} ms"
    )
    print(f"latency p50 / p99:    {p50:.1f} ms / {p99:.1f} ms (max {latencies[-1]:.1f} ms)")
    # From the moment the send call returned (stored, committed, published) to delivery;
    # negative when a socket had it before the sender's call got back.
    after = sorted((at - returned[mid]) * 1000 for mid, at in received if mid in returned)
    print(
        f"after the send call returned p50 / p99: {statistics.median(after):.1f} ms"
        f" / {after[min(len(after) - 1, int(len(after) * 0.99))]:.1f} ms"
    )
    print(
        f"throughput:           {len(latencies) / elapsed:.0f} deliveries/s, {len(sent) / elapsed:.0f} messages/s"
    )


def send_only(plan: str, messages: int, rate: float) -> None:
    """The sender process: one line per message (id, thread, start, duration) on stdout.

    ``time.perf_counter`` is the system's monotonic clock on Linux, so the receiving process
    can compare its own readings with these.
    """
    # Loaded as a page worker loads it at start (tandem/wsgi.py), not inside the first send.
    import tandem.wsgi  # noqa: F401

    pairs = [tuple(int(part) for part in item.split(":")) for item in plan.split(",")]
    threads = Thread.objects.in_bulk([thread_id for thread_id, _ in pairs])
    people = User.objects.in_bulk([user_id for _, user_id in pairs])
    interval = 1 / rate
    started = time.perf_counter()
    for index in range(messages):
        thread_id, user_id = pairs[index % len(pairs)]
        message_id, at, took = send_one(threads[thread_id], people[user_id], index)
        print(message_id, thread_id, at, took, flush=True)
        time.sleep(max(0.0, started + (index + 1) * interval - time.perf_counter()))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--send-only":
        send_only(sys.argv[2], int(sys.argv[4]), float(sys.argv[6]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--ws", default="ws://127.0.0.1:8001", help="WebSocket origin of the portal"
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second")
    parser.add_argument(
        "--providers",
        type=int,
        default=20,
        help="providers sharing the threads (1: one provider in every thread, with half of all"
        " sockets, so each message also recounts the unread badge on 100 of them)",
    )
    asyncio.run(main(parser.parse_args()))
