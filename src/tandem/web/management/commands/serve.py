"""Start Tandem for local use: pages over WSGI, WebSockets over ASGI and the background-task
worker, stopped together on Ctrl-C.

Pages go through granian's WSGI interface (several times faster than Django under ASGI, which
pays a thread hop per request); the ASGI process only carries WebSockets under /ws/. In
production a proxy puts both behind one origin (docs/operations.md); here the WebSocket
process listens on the next port and the pages are told where to find it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


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
        granian = [sys.executable, "-m", "granian", "--host", host, "--workers", str(workers)]
        commands = {
            "pages (WSGI)": [
                *granian,
                "--interface",
                "wsgi",
                # Django's sync views share one SQLite file: a few threads per worker suffice.
                "--blocking-threads",
                "4",
                "--port",
                str(port),
                "tandem.wsgi:application",
            ],
            "websockets (ASGI)": [
                *granian,
                "--interface",
                "asginl",
                "--port",
                str(ws_port),
                "tandem.asgi:application",
            ],
            # Emails and digests are queued in the database and sent here, never in a request.
            "background tasks": [
                sys.executable,
                "-m",
                "tandem.manage",
                "db_worker",
                "--interval",
                "2",
                "--no-reload",
            ],
            # The safety net's second tier: urgent held posts nobody reviewed in time are
            # escalated to the clinical rota (moderation.escalation.sweep).
            "escalation sweep": [
                sys.executable,
                "-m",
                "tandem.manage",
                "escalate_overdue",
                "--every",
                "30",
            ],
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, env=env)  # noqa: S603 - fixed argv
        self.stdout.write(
            self.style.SUCCESS(f"Tandem is running at http://{host}:{port}/  (Ctrl-C stops it)")
        )
        self.stdout.write(f"WebSockets: ws://{host}:{ws_port}/ws/")

        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {process.returncode}).")
                        stopping = True
                time.sleep(0.3)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Tandem stopped.")
