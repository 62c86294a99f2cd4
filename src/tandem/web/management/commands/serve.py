"""Start Tandem for local use: pages over WSGI, WebSockets over ASGI, the background-task worker
and the escalation sweep, kept running until Ctrl-C.

Pages go through granian's WSGI interface (several times faster than Django under ASGI, which
pays a thread hop per request); the ASGI process only carries WebSockets under /ws/. In
production a proxy puts both behind one origin (docs/operations.md); here the WebSocket
process listens on the next port and the pages are told where to find it.

Two layers keep it up (docs/operations.md, "Processes and supervision"):

* granian respawns a worker that dies (``--respawn-failed-workers``), so one killed worker
  never takes the pages or the crisis page down;
* this command supervises its children: one that exits unexpectedly is started again after a
  back-off (1, 2, 4, 8 s), with a line in the log. A child that keeps dying (5 exits within
  60 s) stops everything with a message instead of spinning. Each child runs in a process
  group of its own, so whatever it leaves behind (a granian main process killed without its
  workers) is killed before it starts again, and Ctrl-C, SIGTERM or SIGHUP stops them all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

FIRST_RESTART_DELAY = 1.0  # seconds; doubled after each further exit within the window
LONGEST_RESTART_DELAY = 30.0
CRASH_LOOP_EXITS = 5  # this many exits of one child ...
CRASH_LOOP_SECONDS = 60.0  # ... within this many seconds stop serve
STOP_TIMEOUT = 10.0  # seconds the children get to stop before they are killed
TICK = 0.2


def granian_command(
    interface: str,
    *,
    host: str,
    port: int,
    workers: int,
    blocking_threads: int | None = None,
    app: str | None = None,
) -> list[str]:
    """The granian command line of the pages (``wsgi``) or WebSockets (``asginl``) server.

    ``--respawn-failed-workers``: without it, granian shuts the whole server down when one
    worker dies. Failed workers are respawned at once; ``--respawn-interval`` only paces
    graceful respawns (reload, lifetime, memory limit). A worker that fails again within 5.5 s
    of its respawn makes granian exit, for its supervisor to restart.
    """
    if app is None:
        app = "tandem.wsgi:application" if interface == "wsgi" else "tandem.asgi:application"
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--respawn-failed-workers",
    ]
    if blocking_threads is not None:
        command += ["--blocking-threads", str(blocking_threads)]
    return [*command, app]


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit {returncode}"


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether ``process`` has exited, without reaping it: while it is a zombie its pid (and so
    its process group id) cannot be reused, so the group can still be killed safely."""
    if process.returncode is not None:
        return True
    try:
        state = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return state is not None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL what is left of the child's process group (its own children), then reap it."""
    if process.returncode is not None:
        return  # reaped already: its pid may belong to someone else by now
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class CrashLoop(Exception):  # noqa: N818 - reads as what happened
    pass


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)
    restart_at: float | None = None


class Supervisor:
    """Start some commands, start again any that exits, stop them all at the end."""

    def __init__(
        self,
        commands: Mapping[str, Sequence[str]],
        *,
        env: Mapping[str, str],
        log: Callable[[str], None],
        first_delay: float = FIRST_RESTART_DELAY,
        longest_delay: float = LONGEST_RESTART_DELAY,
        loop_exits: int = CRASH_LOOP_EXITS,
        loop_seconds: float = CRASH_LOOP_SECONDS,
    ) -> None:
        self.children = [Child(name, list(command)) for name, command in commands.items()]
        self.env = dict(env)
        self.log = log
        self.first_delay = first_delay
        self.longest_delay = longest_delay
        self.loop_exits = loop_exits
        self.loop_seconds = loop_seconds

    def _start(self, child: Child) -> None:
        child.restart_at = None
        # A process group of its own: the child's children can be killed with it, and a
        # terminal's Ctrl-C reaches serve, which stops the children in order.
        child.process = subprocess.Popen(  # noqa: S603 - fixed argv
            child.command, env=self.env, process_group=0
        )

    def start(self) -> None:
        for child in self.children:
            self._start(child)

    def pids(self) -> dict[str, int]:
        return {c.name: c.process.pid for c in self.children if c.process is not None}

    def check(self) -> None:
        """One round: notice exits, schedule restarts, start what is due. Raise CrashLoop."""
        now = time.monotonic()
        for child in self.children:
            process = child.process
            if process is not None and _exited(process):
                _kill_group(process)
                child.process = None
                child.exits.append(now)
                while child.exits and now - child.exits[0] > self.loop_seconds:
                    child.exits.popleft()
                recent = len(child.exits)
                if recent >= self.loop_exits:
                    raise CrashLoop(
                        f"{child.name} stopped {recent} times within {self.loop_seconds:.0f} s "
                        f"(last: {describe_exit(process.returncode)}): stopping Tandem. "
                        "Its errors are above; fix them and start it again."
                    )
                delay = min(self.longest_delay, self.first_delay * 2 ** (recent - 1))
                child.restart_at = now + delay
                self.log(
                    f"serve: {child.name} stopped unexpectedly "
                    f"({describe_exit(process.returncode)}); starting it again in {delay:g} s."
                )
            elif child.process is None and child.restart_at is not None and now >= child.restart_at:
                self._start(child)
                self.log(f"serve: {child.name} started again (pid {self.pids()[child.name]}).")

    def run(self, stopping: Callable[[], bool]) -> None:
        while not stopping():
            self.check()
            time.sleep(TICK)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM every child, give them ``timeout`` seconds, then kill what is left."""
        running = [c.process for c in self.children if c.process is not None]
        for process in running:
            if not _exited(process):
                process.terminate()
        deadline = time.monotonic() + timeout
        while any(not _exited(p) for p in running) and time.monotonic() < deadline:
            time.sleep(0.05)
        for process in running:
            _kill_group(process)
        for child in self.children:
            child.process = None
            child.restart_at = None


class Command(BaseCommand):
    help = "Serve pages (WSGI) and WebSockets (ASGI) on 127.0.0.1 until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = options["host"], options["port"], options["workers"]
        ws_port = port + 1
        env = dict(os.environ)
        env.setdefault("TANDEM_WS_ORIGIN", f"ws://{host}:{ws_port}")
        manage = [sys.executable, "-m", "tandem.manage"]
        commands = {
            # Django's sync views share one SQLite file: a few threads per worker suffice.
            "pages (WSGI)": granian_command(
                "wsgi", host=host, port=port, workers=workers, blocking_threads=4
            ),
            "websockets (ASGI)": granian_command(
                "asginl", host=host, port=ws_port, workers=workers
            ),
            # Emails and digests are queued in the database and sent here, never in a request.
            "background tasks": [*manage, "db_worker", "--interval", "2", "--no-reload"],
            # The safety net's second tier: urgent held posts nobody reviewed in time are
            # escalated to the clinical rota (moderation.escalation.sweep).
            "escalation sweep": [*manage, "escalate_overdue", "--every", "30"],
            # Agreements due for review: both sides are reminded, once (care.services).
            "agreement reviews": [*manage, "remind_agreement_reviews", "--every", "3600"],
            # Account deletions past their grace period, and exports past 24 hours.
            "data rights sweep": [*manage, "datarights_sweep", "--every", "300"],
            # Rows past their retention (TANDEM_RETAIN_*_DAYS; datarights.retention).
            "retention": [*manage, "apply_retention", "--every", "3600"],
            # Check-ins that came due: one content-free reminder each (questionnaires).
            "check-in reminders": [*manage, "send_check_in_reminders", "--every", "3600"],
            # Toolbox items deleted more than 10 minutes ago (their undo window) go for good.
            "deleted items purge": [*manage, "purge_deleted_toolbox_items", "--every", "300"],
            # Courses: topics open on their day, reminders, nudges, boards archived (courses).
            "course clock": [*manage, "run_courses", "--every", "300"],
            # Research: care messages left unanswered past the agreed time, once per wait.
            "unanswered messages": [*manage, "record_unanswered_messages", "--every", "3600"],
        }
        supervisor = Supervisor(commands, env=env, log=self.stderr.write)

        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        supervisor.start()
        self.stdout.write(
            self.style.SUCCESS(f"Tandem is running at http://{host}:{port}/  (Ctrl-C stops it)")
        )
        self.stdout.write(f"WebSockets: ws://{host}:{ws_port}/ws/")
        try:
            supervisor.run(lambda: stopping)
        except CrashLoop as loop:
            raise CommandError(str(loop)) from None
        finally:
            supervisor.stop()
            self.stdout.write("Tandem stopped.")
