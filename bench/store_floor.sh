#!/usr/bin/env bash
# What SQLite alone needs to store the rows fairlead's people import stored: the floor
# of any import path on this store, beside the peers' bare loaders.
#
#   bench/store_floor.sh DATA WORK OUT.json
#
# DATA: a fairlead data directory right after `import people` (its people and emails
# tables hold exactly what the import stored); WORK: a scratch directory.
# Untimed: the two tables are copied into a staging database, the people in id order
# and the emails in person order (the order the import writes them). Timed: in a fresh
# database with fairlead's own CREATE statements for the two tables and their indexes
# (from sqlite_master; the change-log triggers fire only on UPDATE and DELETE and are
# left out), fairlead's settings (WAL, synchronous=FULL, secure_delete, 1 GiB page
# cache, 6 GiB of dirty pages before a spill, 2 GiB memory map), one transaction:
# INSERT ... SELECT of the staged people, then emails, in staging (rowid) order, which
# needs no sort (the staging tables have no index to order by id), COMMIT.
# No parsing, normalisation, lookups or statement per row: SQLite's own b-tree work
# and durable write for the same rows, indexes and order.
set -euo pipefail
DATA=$1 WORK=$2 OUT=$3
DB="$DATA/fairlead.db"
[ -f "$DB" ] || { echo "store_floor: no database at $DB" >&2; exit 2; }
mkdir -p "$WORK"
STAGE="$WORK/floor-stage.db" FLOOR="$WORK/floor.db"
rm -f "$STAGE"* "$FLOOR"*

sqlite3 -batch -bail "$STAGE" >/dev/null <<SQL
PRAGMA journal_mode=OFF;
ATTACH '$DB' AS src;
CREATE TABLE sp AS SELECT * FROM src.people ORDER BY id;
CREATE TABLE se AS SELECT * FROM src.emails ORDER BY person_id, position;
SQL

SCHEMA=$(sqlite3 -batch -bail "$DB" "SELECT sql || ';' FROM sqlite_master WHERE tbl_name IN ('people', 'emails') AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC, name")
PEOPLE=$(sqlite3 -batch "$STAGE" "SELECT count(*) FROM sp")
EMAILS=$(sqlite3 -batch "$STAGE" "SELECT count(*) FROM se")
sqlite3 -batch -bail "$FLOOR" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
$SCHEMA
SQL
sync

cat > "$WORK/floor.sql" <<SQL
PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA cache_size=-1048576; PRAGMA cache_spill=1572864;
PRAGMA mmap_size=2147418112;
ATTACH '$STAGE' AS stage;
BEGIN;
INSERT INTO main.people SELECT * FROM stage.sp ORDER BY rowid;
INSERT INTO main.emails SELECT * FROM stage.se ORDER BY rowid;
COMMIT;
SQL
t0=$(date +%s.%N)
sqlite3 -batch -bail "$FLOOR" < "$WORK/floor.sql" >/dev/null
t1=$(date +%s.%N)
CHECK=$(sqlite3 -batch "$FLOOR" "SELECT (SELECT count(*) FROM people) || ' ' || (SELECT count(*) FROM emails)")
[ "$CHECK" = "$PEOPLE $EMAILS" ] || { echo "store_floor: stored '$CHECK', expected '$PEOPLE $EMAILS'" >&2; exit 1; }
rm -f "$STAGE"* "$FLOOR"*

python3 - "$OUT" "$t0" "$t1" "$PEOPLE" "$EMAILS" <<'PY'
import json, sys
out, t0, t1, people, emails = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
json.dump({"store_floor_s": t1 - t0, "people": people, "emails": emails,
           "form": "INSERT ... SELECT of fairlead's stored people and emails rows into its own schema and "
                   "indexes, one transaction (WAL, synchronous=FULL)"}, open(out, "w"), indent=1)
PY
