#!/usr/bin/env bash
# PostgreSQL 15 peer of the fairlead benchmark (bench.md, "Peers").
#
#   bench/peers/postgres.sh GEN EXPORT OUT.json
#
# Starts a private cluster (Debian's postgresql-15 binaries; bench/peers/setup.sh installs
# them) in a temporary directory (PEER_TMPDIR, else TMPDIR, else /tmp), listening on
# 127.0.0.1 and on a Unix socket in that directory (the socket is what psql uses), runs the
# benchmark through psql (peerlib.py, queries.sql), then stops the cluster and removes the
# directory, also on failure or interruption. As root, the server runs as the `postgres`
# user; psql runs as the caller and connects as the superuser `postgres` (trust auth, the
# socket is in a private directory).
#
# Server settings (durable defaults kept: fsync, synchronous_commit, full_page_writes on):
#   locale C (byte order for the person_ref tie-break), shared_buffers 4GB, work_mem 256MB,
#   maintenance_work_mem 1GB, effective_cache_size 12GB, max_parallel_workers_per_gather 2,
#   random_page_cost 1.1, jit off, max_wal_size 8GB, checkpoint_timeout 30min.
#   PEER_PG_OPTS adds or overrides settings ("-c name=value ...").
# Load (not timed): \copy of every table; people = the rows of people.csv listed in
#   eligibility.csv (the others were suppressed: fairlead never stores them), with its
#   eligible flag as people.eligible;
#   account_tech exploded with unnest(string_to_array()), primary keys, indexes
#   people(account_domain, country, seniority, eligible) INCLUDE (person_ref),
#   people(account_domain, function) INCLUDE (person_ref), accounts(industry),
#   accounts(employee_band), account_tech(domain, tech) PK + (tech, domain),
#   static_list(person_ref), withdrawals(person_ref); VACUUM ANALYZE.
# Timed: Q1-Q4, Q5 (UPDATE in autocommit: one durable transaction; then Q2 again), and
#   COPY of people.csv into a fresh table (server-side COPY when the server user can read
#   the file, else psql's \copy; the output says which).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 GEN EXPORT OUT.json" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pgbin=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
for tool in "$pgbin/initdb" "$pgbin/pg_ctl" "$pgbin/psql"; do
  [ -x "$tool" ] || { echo "postgres peer: $tool not found (run bench/peers/setup.sh)" >&2; exit 1; }
done
for tool in python3 stdbuf; do
  command -v "$tool" >/dev/null || { echo "postgres peer: $tool not found" >&2; exit 1; }
done

gen=$(cd "$1" && pwd)
export_dir=$(cd "$2" && pwd)
out=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")

work=$(mktemp -d "${PEER_TMPDIR:-${TMPDIR:-/tmp}}/fairlead-pg.XXXXXX")
chmod 755 "$work"
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "postgres peer: no postgres user (run bench/peers/setup.sh)" >&2; exit 1; }
  chown postgres: "$work"
  as_pg() { runuser -u postgres -- "$@"; }
fi
data=$work/data
sock=$work/sock
started=0
cleanup() {
  rc=$?
  trap '' INT TERM
  if [ "$started" = 1 ]; then
    as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "$rc" != 0 ] && [ -f "$work/pg.log" ]; then
    echo "postgres peer: failed; last server log lines:" >&2
    tail -n 20 "$work/pg.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
child=
trap '[ -n "$child" ] && { kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; }; exit 130' INT TERM

as_pg mkdir -p "$sock"
as_pg "$pgbin/initdb" -D "$data" -U postgres --auth=trust --locale=C --encoding=UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }

# A free TCP port on loopback (the server also listens there, as the protocol asks).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
opts="-p $port -k $sock -c listen_addresses=127.0.0.1"
opts+=" -c shared_buffers=4GB -c work_mem=256MB -c maintenance_work_mem=1GB -c effective_cache_size=12GB"
opts+=" -c max_parallel_workers_per_gather=2 -c random_page_cost=1.1 -c jit=off"
opts+=" -c max_wal_size=8GB -c checkpoint_timeout=30min"
opts+=" ${PEER_PG_OPTS:-}"
started=1
as_pg "$pgbin/pg_ctl" -D "$data" -l "$work/pg.log" -w -t 120 -o "$opts" start >/dev/null

# Can the server process read people.csv itself (for a server-side COPY at ingest)?
if [ "$(id -u)" = 0 ]; then
  if runuser -u postgres -- test -r "$gen/people.csv"; then export PEER_PG_SERVER_COPY=1; else export PEER_PG_SERVER_COPY=0; fi
else
  export PEER_PG_SERVER_COPY=1
fi

export PATH="$pgbin:$PATH" PGHOST="$sock" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD PGSERVICE PGOPTIONS
# In the background and waited for, so that INT/TERM reach the trap at once.
python3 "$here/peerlib.py" postgres "$gen" "$export_dir" "$out" "$work" &
child=$!
wait "$child"
