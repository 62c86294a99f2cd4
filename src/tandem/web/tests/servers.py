"""Real servers for the supervision fault tests: granian with several workers, ``manage.py
serve``, and what a test needs to find and kill one of their processes.

The granian command lines come from ``manage.py serve`` (``granian_command``), so the tests
exercise the flags ``make run`` uses. Processes are found through /proc (Linux): the children
of a process, and the process that holds the server side of a given TCP connection.

``stalling_application`` is a WSGI application for one test only: Tandem's own, except that a
request carrying ``STALL_HEADER`` gets its full answer computed (the view has run, the
transaction is committed, the session saved) and then waits instead of sending it, so that a
test can kill the worker between "stored" and "answered".
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tandem.messaging.tests.servers import answers
from tandem.web.management.commands.serve import granian_command

STALL_HEADER = "X-Tandem-Test-Stall"
STALL_SECONDS = 60  # bounded: the test kills the worker long before


def stalling_application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    from tandem.wsgi import application

    body = application(environ, start_response)
    if "HTTP_" + STALL_HEADER.upper().replace("-", "_") in environ:
        time.sleep(STALL_SECONDS)
    return body


def wait_until(
    condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail saying ``what`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout} s still waiting for {what}")
        time.sleep(interval)


def alive(pid: int) -> bool:
    """Running (not a zombie, not gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> set[int]:
    """The live child processes of ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _connection_inodes(server_port: int, client_port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                inodes.add(fields[9])
    inodes.discard("0")
    return inodes


def holder_of(client: socket.socket, candidates: Iterable[int]) -> int | None:
    """Which of ``candidates`` holds the server side of the TCP connection ``client``."""
    server_port = client.getpeername()[1]
    links = {
        f"socket:[{inode}]" for inode in _connection_inodes(server_port, client.getsockname()[1])
    }
    if not links:
        return None
    for pid in candidates:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in links:
                    return pid
            except OSError:
                continue
    return None


def free_port_pair() -> int:
    """A loopback port whose next port is free too (serve puts WebSockets on port + 1)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port: int = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two free consecutive loopback ports")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def wait_for_http(host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until a GET /healthz answers 200 (granian listens before its workers are ready)."""
    import http.client

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server stopped while starting:\n{log.read_text()[-3000:]}")
        if not answers(host, port):
            return False
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    wait_until(ready, timeout=60, what=f"a server on {host}:{port}", interval=0.2)


def _start_time(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> dict[int, str | None]:
    """Every live process below ``pid``, with its start time (to recognise it later)."""
    found: dict[int, str | None] = {}
    todo = [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found[child] = _start_time(child)
                todo.append(child)
    return found


@contextmanager
def started(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in a session of its own until the block ends, then stop it and
    everything it started. Only processes started here are ever signalled."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop_all(process)


def stop_all(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM ``process``'s group, wait, then SIGKILL the group and any descendant still
    running (``manage.py serve`` puts its children in process groups of their own)."""
    below = descendants(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    below.update(descendants(process.pid))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid, start in below.items():
        if start is not None and alive(pid) and _start_time(pid) == start:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    process.wait(timeout=15)


@contextmanager
def granian(
    interface: str,
    env: dict[str, str],
    log: Path,
    *,
    port: int,
    workers: int,
    blocking_threads: int | None = None,
    app: str | None = None,
) -> Iterator[Server]:
    """granian as ``manage.py serve`` starts it (respawning failed workers), ``workers``
    workers, on 127.0.0.1:``port``; ready when the block starts."""
    command = granian_command(
        interface,
        host="127.0.0.1",
        port=port,
        workers=workers,
        blocking_threads=blocking_threads,
        app=app,
    )
    with started(command, env, log) as process:
        server = Server(process, "127.0.0.1", port, log)
        # The ASGI application answers plain HTTP too (Django under Channels' router).
        wait_for_http("127.0.0.1", port, process, log)
        wait_until(
            lambda: len(children(process.pid)) == workers,
            timeout=30,
            what=f"{workers} granian workers",
        )
        yield server
