"""The app's own CPU time per request of forum pages, in-process (docs/performance.md, issue 14).

    source the environment of bench/lib.sh's tandem_prod_env (TANDEM_ENV=prod, DATABASE_URL, ...)
    PYTHONPATH=TREE/src .venv/bin/python bench/forum_cpu.py PAGES_TSV N PAGE [PAGE ...]

Logs the benchmark user of bench/forum_data.py in with Django's test client, requests each page
5 times to warm up, then N times, and prints ``page  cpu ms  wall ms`` per request
(``time.process_time``: this process only, never PostgreSQL's). PAGES_TSV is the
tandem-pages.tsv bench/forum_probe.py writes (name<TAB>path). With PYTHONPATH naming another
checkout's ``src``, the same data and pages measure another version of the code; alternate the
versions several times, since the machine moves a run by a quarter.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

BENCH_EMAIL = "user00001@bench.tandem.test"


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    pages_file, n, names = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    pages = dict(line.split("\t") for line in pages_file.read_text().splitlines() if line)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(email=BENCH_EMAIL))
    for name in names:
        path = pages[name]
        for _ in range(5):
            status = client.get(path).status_code
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}")
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(n):
            client.get(path)
        cpu_ms = (time.process_time() - cpu) / n * 1000
        wall_ms = (time.perf_counter() - wall) / n * 1000
        print(f"{name}\tcpu {cpu_ms:.2f} ms\twall {wall_ms:.2f} ms")


if __name__ == "__main__":
    main()
