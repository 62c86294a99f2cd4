"""Real server processes for the tests that need them (scale-out and the live browser test).

pytest-django's ``live_server`` is WSGI only and its SQLite database lives in memory, which no
other process can open. These helpers start granian processes (WSGI and ASGI, as
``manage.py serve`` and production do) against a database that several processes can share:
a SQLite file in a temporary folder, or a PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SEED_SCRIPT = """
import json, sys, uuid
import django
django.setup()
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from tandem.accounts.models import Role
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import TOTP_SECRET
from tandem.messaging.tests.factories import thread_between

organisation = OrganisationFactory.create(name="Northside Test", slug="northside-test")
skylark = UserFactory.create(email="sam@example.org", pseudonym="Skylark", full_name="Sam Skylark")
pat = UserFactory.create(email="pat@example.org", pseudonym="Pat", full_name="Pat Provider")
MembershipFactory.create(user=skylark, organisation=organisation, role=Role.SERVICE_USER)
MembershipFactory.create(user=pat, organisation=organisation, role=Role.PROVIDER)
TOTP.activate(pat, TOTP_SECRET)
relationship = CareRelationshipFactory.create(
    service_user=skylark, provider=pat, organisation=organisation
)
Agreement.objects.create(relationship=relationship, reply_within_days=2)
thread = thread_between(skylark, pat, subject="How this week went")
sessions = {}
for name, user in (("skylark", skylark), ("pat", pat)):
    client = Client()
    client.force_login(user)
    sessions[name] = client.cookies["sessionid"].value
print(json.dumps({"thread": thread.pk, "skylark": skylark.pk, "pat": pat.pk, "sessions": sessions}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a test server: test mode, no inherited database or Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TANDEM_WS_ORIGIN", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "TANDEM_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "tandem.settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "tandem.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def seed(env: dict[str, str]) -> dict[str, object]:
    """Create Skylark, Pat, their relationship and a thread; return ids and session keys."""
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", SEED_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-3000:]}")
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


@contextmanager
def granian(interface: str, port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """Run one granian process (``wsgi`` or ``asginl``) on ``port`` until the block ends."""
    app = "tandem.wsgi:application" if interface == "wsgi" else "tandem.asgi:application"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                interface,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                app,
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not answers("127.0.0.1", port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"granian {interface} did not start:\n{log.read_text()[-3000:]}"
                    )
                time.sleep(0.1)
            yield f"127.0.0.1:{port}"
        finally:
            # Our own process group only: granian's workers are its children.
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class ThrowawayRedis:
    """A redis-server of the test's own on a free loopback port, never the shared one on 6379:
    started, stopped (and started again on the same port), paused with SIGSTOP (it still
    accepts connections, through the kernel, and never answers) and resumed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "already running"
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv
                [
                    *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while not self._pong():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                return probe.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if self.paused:
            self.resume_process(process)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.process is not None
        self.resume_process(self.process)

    def resume_process(self, process: subprocess.Popen[bytes]) -> None:
        os.kill(process.pid, signal.SIGCONT)
        self.paused = False


@contextmanager
def throwaway_redis(folder: Path) -> Iterator[ThrowawayRedis]:
    """A started ``ThrowawayRedis``, stopped at the end whatever happened (skips the test,
    saying why, when redis-server is not installed)."""
    import shutil

    import pytest

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: Redis fault test skipped")
    server = ThrowawayRedis(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
