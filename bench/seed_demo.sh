#!/usr/bin/env bash
# Seed a large demo company into a fresh PostgreSQL database and print the elapsed time
# and peak memory (RSS) of `manage.py seed_demo`.
#
#   bench/seed_demo.sh                 # 100,000 accounts, 2,000,000 tickets
#   bench/seed_demo.sh 10000 200000    # smaller
#
# The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/vipdesk_bench_seed);
# it is created if missing and its demo data replaced (--flush).
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${1:-100000}"
TICKETS="${2:-2000000}"
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vipdesk_bench_seed}"
source scripts/python.sh
ensure_venv
.venv/bin/python -m pip install --quiet -e .
PY=.venv/bin/python
mkdir -p bench/out
$PY manage.py ensure_database
$PY manage.py migrate --noinput -v0
/usr/bin/time -v -o bench/out/seed_demo.time \
  $PY manage.py seed_demo --flush --accounts "$ACCOUNTS" --tickets "$TICKETS" | tee bench/out/seed_demo.log
echo
echo "== seed_demo --accounts $ACCOUNTS --tickets $TICKETS ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
grep -E "Elapsed \(wall clock\)|Maximum resident set size" bench/out/seed_demo.time | sed 's/^\s*/  /'
$PY manage.py shell -v0 -c "
from accounts.models import Account
from tickets.models import Ticket, TicketMessage
print(f'  rows: {Account.objects.count():,} accounts, {Ticket.objects.count():,} tickets, '
      f'{TicketMessage.objects.count():,} messages')"
