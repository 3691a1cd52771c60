#!/usr/bin/env bash
# SQLite peer of the fairlead benchmark (bench.md, "Peers").
#
#   bench/peers/sqlite.sh GEN EXPORT OUT.json
#
# GEN: the CSV files of `fairlead gen`; EXPORT: fairlead's precomputed tables (eligibility,
# account_intent, static_list, withdrawals, params.json). Uses the Debian `sqlite3` shell on
# a file database in a temporary directory (PEER_TMPDIR, else TMPDIR, else /tmp), removed at
# the end. The SQL and the timing loop are in peerlib.py / queries.sql:
#   load (not timed, reported as load_s): .import of every table; people = the rows of
#     people.csv listed in eligibility.csv (the others were suppressed: fairlead never
#     stores them), with its eligible flag as people.eligible; account_tech exploded with a recursive CTE,
#     indexes people(account_domain, country, seniority, eligible, person_ref),
#     people(account_domain, function, person_ref), accounts(industry),
#     accounts(employee_band), account_tech(domain, tech) PK + (tech, domain),
#     static_list(person_ref), withdrawals(person_ref), then ANALYZE; WAL mode.
#   timed: Q1-Q4 (warm-up + `runs` runs each), Q5 (UPDATE, durable: WAL + synchronous=FULL,
#     then Q2 again), and the bare `.import` of people.csv into a fresh table (ingest_s).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 GEN EXPORT OUT.json" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in sqlite3 python3 stdbuf; do
  command -v "$tool" >/dev/null || { echo "sqlite peer: $tool not found (run bench/peers/setup.sh)" >&2; exit 1; }
done

gen=$(cd "$1" && pwd)
export_dir=$(cd "$2" && pwd)
out=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")

work=$(mktemp -d "${PEER_TMPDIR:-${TMPDIR:-/tmp}}/fairlead-sqlite.XXXXXX")
cleanup() { trap '' INT TERM; rm -rf "$work"; }
trap cleanup EXIT
child=
trap '[ -n "$child" ] && { kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; }; exit 130' INT TERM

# In the background and waited for, so that INT/TERM reach the trap at once.
python3 "$here/peerlib.py" sqlite "$gen" "$export_dir" "$out" "$work" &
child=$!
wait "$child"
