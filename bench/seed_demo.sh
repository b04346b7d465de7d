#!/usr/bin/env bash
# Seed a large demo company into the PostgreSQL database you name and print the elapsed
# time, each phase's time and the peak memory (RSS) of `manage.py seed_demo` and its
# worker processes. /usr/bin/time reports only the largest process; the command itself
# prints the sum of its own peak and its workers' (an upper bound: a worker's peak
# counts the pages it shares).
#
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/vipdesk_bench_in bench/seed_demo.sh
#   BENCH_DATABASE_URL=… bench/seed_demo.sh 10000 200000    # smaller
#
# BENCH_DATABASE_URL is required (no default: the script replaces the demo data of the
# database it is given, --flush). The database is created if missing and migrated.
# The load average before and after is printed: figures taken while other work runs on
# the machine are "under load".
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS="${1:-100000}"
TICKETS="${2:-2000000}"
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  echo "Set BENCH_DATABASE_URL to the database to seed (its demo data is replaced)." >&2
  exit 2
fi
export DATABASE_URL="$BENCH_DATABASE_URL"
source scripts/python.sh
ensure_venv
.venv/bin/python -m pip install --quiet -e .
PY=.venv/bin/python
mkdir -p bench/out
$PY manage.py ensure_database
$PY manage.py migrate --noinput -v0
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v -o bench/out/seed_demo.time \
  $PY manage.py seed_demo --flush --accounts "$ACCOUNTS" --tickets "$TICKETS" | tee bench/out/seed_demo.log
echo
echo "== seed_demo --accounts $ACCOUNTS --tickets $TICKETS into ${DATABASE_URL##*/} ($(nproc) cores)"
echo "  load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "Elapsed \(wall clock\)" bench/out/seed_demo.time | sed 's/^\s*/  /'
grep -E "Maximum resident set size" bench/out/seed_demo.time | sed 's/^\s*/  largest process: /'
grep -E "^Peak memory" bench/out/seed_demo.log | sed 's/^/  /'
$PY manage.py shell -v0 -c "
from accounts.models import Account
from tickets.models import Ticket, TicketMessage
print(f'  rows: {Account.objects.count():,} accounts, {Ticket.objects.count():,} tickets, '
      f'{TicketMessage.objects.count():,} messages')"
