"""Every page bench in one command, against the database and Redis given:

    DATABASE_URL=postgres://…/vipdesk [REDIS_URL=redis://…/3] \\
        .venv/bin/python bench/pages.py [--requests 200] [--skip escalation_page]

Runs bench/pages_queue.py (queue, unmatched, ticket, pools, notifications),
bench/pages_board.py (at-risk board, account 360, VIP dashboard), bench/my_work.py
(/my/ per role) and bench/escalation_page.py (escalation pages; it tops the database
up to 50,000 escalations), one after the other, each in its own process, and prints
their tables. Every figure comes with the same-run floor beside it
(bench/pagebench.py); "SQL p95" is the 95th percentile of each request's slowest
statement, marked "!" past 50 ms.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCHES = ["pages_queue", "pages_board", "my_work", "escalation_page"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--skip", action="append", default=[], choices=BENCHES)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to the PostgreSQL database to measure (seed_demo data).")
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHES:
        if name in args.skip:
            continue
        print(f"\n== bench/{name}.py", flush=True)
        start = time.perf_counter()
        command = [sys.executable, str(here / f"{name}.py"), "--requests", str(args.requests)]
        if subprocess.run(command).returncode:
            failed.append(name)
        print(f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
