#!/usr/bin/env python3
"""Shared driver of the SQL-shell peers of the fairlead benchmark.

    peerlib.py sqlite   GEN EXPORT OUT.json WORKDIR   (called by sqlite.sh)
    peerlib.py postgres GEN EXPORT OUT.json WORKDIR   (called by postgres.sh, with
                                                       PGHOST/PGPORT/PGUSER/PGDATABASE set)

The shells themselves (the Debian `sqlite3` shell, `psql`) run the SQL. This file writes
their load scripts, keeps one shell session open through pipes for the timed part, and
writes OUT.json. Timing: each statement is sent down the shell's stdin followed by a marker
(`.print` / `\\echo`), and the wall clock runs from the write to the marker coming back, so
a run includes parsing, execution and the result rows reaching the client (and about 0.1 ms
of pipe round trip). The shell's own timer (`.timer on`: millisecond resolution;
`\\timing on`: microseconds) is kept next to it in the output as tool_runs_ms.

Every query gets one untimed warm-up run, then params.json's `runs` timed runs; median_ms
is the median of those (mean of the middle two for an even count). The query text is
bench/peers/queries.sql, the same for every SQL peer.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = '@@PEER-END@@'

PEOPLE_COLS = ('person_ref first_name last_name email email2 email_visibility phone title seniority '
               'function country region recipient stage account_domain collected_at opt_out_offered '
               'transparency_notice_sent_at').split()
ACCOUNT_COLS = 'domain name industry employee_band revenue_band hq_country technologies'.split()


def die(msg):
    sys.stderr.write(f'peer: {msg}\n')
    sys.exit(1)


# ---------------------------------------------------------------- inputs

def sql_lit(s):
    return "'" + str(s).replace("'", "''") + "'"


def load_params(export):
    with open(os.path.join(export, 'params.json')) as f:
        p = json.load(f)
    for k in ('q1_countries', 'q1_seniorities', 'q1_industry', 'q3_techs', 'q3_bands',
              'q3_functions', 'top_k', 'runs'):
        if k not in p:
            die(f'params.json has no "{k}"')
    return p


def load_queries(params):
    """queries.sql sections, with {{key}} replaced from params; comment lines dropped."""
    subst = {}
    for k, v in params.items():
        if isinstance(v, list):
            subst[k] = ', '.join(sql_lit(x) for x in v)
        elif k in ('top_k', 'runs'):
            subst[k] = str(int(v))
        else:
            subst[k] = sql_lit(v)
    out, name, buf = {}, None, []
    with open(os.path.join(HERE, 'queries.sql')) as f:
        for line in f:
            m = re.match(r'--\s*name:\s*(\S+)', line)
            if m:
                if name:
                    out[name] = '\n'.join(buf).strip()
                name, buf = m.group(1), []
            elif name and line.strip() and not line.lstrip().startswith('--'):
                buf.append(line.rstrip())
    if name:
        out[name] = '\n'.join(buf).strip()

    def fill(m):
        if m.group(1) not in subst:
            die(f'queries.sql uses {{{{{m.group(1)}}}}}, absent from params.json')
        return subst[m.group(1)]
    return {k: re.sub(r'\{\{(\w+)\}\}', fill, v) for k, v in out.items()}


def has_header(path, first_col):
    """EXPORT tables may or may not start with a header line: look."""
    with open(path, encoding='utf-8') as f:
        line = f.readline().strip().lstrip('\ufeff')
    return line.split(',')[0].strip('"') == first_col


def check_path(path):
    if not os.path.isfile(path):
        die(f'missing input file {path}')
    if any(c in path for c in '"\'\n\\'):
        die(f'unsupported character in path {path}')
    return os.path.abspath(path)


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def r3(x):
    return round(x, 3)


# ---------------------------------------------------------------- a shell session over pipes

class Shell:
    """One interactive sqlite3 / psql process; run() sends SQL and reads rows up to a marker."""

    def __init__(self, argv, marker_cmd, timer_re, env=None, errlog=None):
        self.errlog = errlog
        self.err = open(errlog, 'w') if errlog else subprocess.DEVNULL
        # stdbuf: line-buffered stdout, so each result comes back at once through the pipe
        self.p = subprocess.Popen(['stdbuf', '-oL'] + argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.err, text=True,
                                  encoding='utf-8', bufsize=1, env=env)
        self.marker_cmd = marker_cmd
        self.timer_re = re.compile(timer_re)

    def run(self, sql):
        """-> (rows, wall_ms, tool_ms or None)"""
        text = sql.strip()
        if not text.startswith(('.', '\\')) and not text.endswith(';'):
            text += ';'
        t0 = time.perf_counter()
        self.p.stdin.write(text + '\n' + self.marker_cmd + '\n')
        self.p.stdin.flush()
        rows, tool_ms = [], None
        while True:
            line = self.p.stdout.readline()
            if line == '':
                t = ''
                if self.errlog:
                    self.err.flush()
                    with open(self.errlog) as f:
                        t = f.read()[-3000:]
                die(f'shell exited while running:\n{text[:500]}\n--- stderr:\n{t}')
            line = line.rstrip('\n')
            if line == MARK:
                break
            m = self.timer_re.match(line)
            if m:
                tool_ms = (tool_ms or 0.0) + float(m.group(1)) * (1000.0 if 'Run Time' in line else 1.0)
                continue
            rows.append(line)
        wall_ms = (time.perf_counter() - t0) * 1000.0
        return rows, wall_ms, tool_ms

    def close(self):
        try:
            self.p.stdin.close()
        except Exception:
            pass
        self.p.wait(timeout=600)
        if self.errlog:
            self.err.close()
        return self.p.returncode


PLANNED = ('Q1', 'Q2', 'Q3_ids', 'Q3_count', 'Q4', 'Q5_write')


def plans(sh, Q, explain):
    """The plan each query got (EXPLAIN, not executed), for the reader of the results."""
    return {name: '\n'.join(sh.run(explain + Q[name])[0]) for name in PLANNED}


def bench_queries(sh, Q, runs):
    """The timed part shared by the shell peers: Q1..Q4, then Q5."""
    def one_int(rows, what):
        if len(rows) != 1 or not re.fullmatch(r'-?\d+', rows[0].strip()):
            die(f'{what}: expected one integer row, got {rows[:5]}')
        return int(rows[0])

    def timed(name):
        sh.run(Q[name])  # warm-up, untimed
        first, walls, tools = None, [], []
        for _ in range(runs):
            rows, w, t = sh.run(Q[name])
            if first is None:
                first = rows
            elif rows != first:
                die(f'{name} gave different answers on repeated runs')
            walls.append(w)
            tools.append(t)
        return first, walls, tools

    def entry(walls, tools):
        e = {'median_ms': r3(median(walls)), 'runs_ms': [r3(x) for x in walls]}
        if all(t is not None for t in tools):
            e['tool_runs_ms'] = [r3(t) for t in tools]
        return e

    out = {}
    rows, w, t = timed('Q1')
    out['Q1'] = entry(w, t) | {'count': one_int(rows, 'Q1')}
    rows, w, t = timed('Q2')
    out['Q2'] = entry(w, t) | {'ids': rows}
    ids, wi, ti = timed('Q3_ids')
    rows, wc, tc = timed('Q3_count')
    walls = [a + b for a, b in zip(wi, wc)]
    tools = [(a + b) if a is not None and b is not None else None for a, b in zip(ti, tc)]
    out['Q3'] = entry(walls, tools) | {'count': one_int(rows, 'Q3_count'), 'ids': ids,
                                       'ids_runs_ms': [r3(x) for x in wi],
                                       'count_runs_ms': [r3(x) for x in wc],
                                       'form': 'two queries (ORDER BY ... LIMIT for the ids, count(*) '
                                               'for the count), timed separately and added per run'}
    rows, w, t = timed('Q4')
    out['Q4'] = entry(w, t) | {'count': one_int(rows, 'Q4')}
    _, ww, tw = sh.run(Q['Q5_write'])
    rows, wq, tq = sh.run(Q['Q2'])
    out['Q5'] = {'write_ms': r3(ww), 'query_ms': r3(wq), 'ids': rows}
    if tw is not None and tq is not None:
        out['Q5']['tool_write_ms'] = r3(tw)
        out['Q5']['tool_query_ms'] = r3(tq)
    return out


def write_out(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')
    os.replace(tmp, path)


def inputs(gen, export):
    f = {
        'accounts': check_path(os.path.join(gen, 'accounts.csv')),
        'people': check_path(os.path.join(gen, 'people.csv')),
        'eligibility': check_path(os.path.join(export, 'eligibility.csv')),
        'intent': check_path(os.path.join(export, 'account_intent.csv')),
        'static': check_path(os.path.join(export, 'static_list.csv')),
        'withdrawals': check_path(os.path.join(export, 'withdrawals.csv')),
    }
    hdr = {
        'eligibility': has_header(f['eligibility'], 'person_ref'),
        'intent': has_header(f['intent'], 'domain'),
        'static': has_header(f['static'], 'person_ref'),
        'withdrawals': has_header(f['withdrawals'], 'person_ref'),
    }
    for k, first in (('accounts', 'domain'), ('people', 'person_ref')):
        if not has_header(f[k], first):
            die(f'{f[k]}: expected a header line starting with {first}')
    return f, hdr


def check_ingest_count(got_rows, path):
    """The ingest table must hold every record of people.csv (header excluded). Lines are
    counted fast; only when that disagrees are RFC 4180 records counted (a quoted field
    may hold a newline)."""
    if len(got_rows) != 1 or not got_rows[0].strip().isdigit():
        die(f'ingest count: unexpected answer {got_rows[:3]}')
    got = int(got_rows[0])
    lines, last = 0, b'\n'
    with open(path, 'rb') as fh:
        while True:
            chunk = fh.read(1 << 24)
            if not chunk:
                break
            lines += chunk.count(b'\n')
            last = chunk[-1:]
    if last != b'\n':
        lines += 1
    if got == lines - 1:
        return
    import csv
    with open(path, newline='', encoding='utf-8') as fh:
        records = sum(1 for _ in csv.reader(fh)) - 1
    if got != records:
        die(f'ingest loaded {got} rows, {path} has {records} records')


# ---------------------------------------------------------------- SQLite

def run_sqlite(gen, export, out, work):
    params = load_params(export)
    Q = load_queries(params)
    runs = int(params['runs'])
    f, hdr = inputs(gen, export)
    db = os.path.join(work, 'peer.db')
    version = subprocess.run(['sqlite3', '--version'], capture_output=True, text=True,
                             check=True).stdout.split()[0]

    def imp(key, table):
        skip = ' --skip 1' if hdr.get(key, True) else ''
        return f'.import --csv{skip} "{f[key]}" {table}'

    text_cols = lambda cols: ', '.join(f'{c} TEXT' for c in cols)
    load = f"""
.bail on
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-2000000;
PRAGMA temp_store=MEMORY;
CREATE TABLE accounts(domain TEXT PRIMARY KEY, {text_cols(ACCOUNT_COLS[1:])});
{imp('accounts', 'accounts')}
CREATE TABLE people_csv({text_cols(PEOPLE_COLS)});
{imp('people', 'people_csv')}
CREATE TABLE eligibility(person_ref TEXT PRIMARY KEY, eligible INTEGER NOT NULL);
{imp('eligibility', 'eligibility')}
CREATE TABLE people(person_ref TEXT PRIMARY KEY, {text_cols(PEOPLE_COLS[1:])}, eligible INTEGER NOT NULL);
INSERT INTO people SELECT c.*, e.eligible FROM people_csv c
  JOIN eligibility e ON e.person_ref = c.person_ref;
DROP TABLE people_csv;
DROP TABLE eligibility;
CREATE TABLE account_intent(domain TEXT PRIMARY KEY, score REAL NOT NULL, gauge INTEGER NOT NULL);
{imp('intent', 'account_intent')}
CREATE TABLE static_list(person_ref TEXT NOT NULL);
{imp('static', 'static_list')}
CREATE TABLE withdrawals(person_ref TEXT NOT NULL);
{imp('withdrawals', 'withdrawals')}
CREATE TABLE account_tech(domain TEXT NOT NULL, tech TEXT NOT NULL, PRIMARY KEY(domain, tech)) WITHOUT ROWID;
INSERT OR IGNORE INTO account_tech(domain, tech)
WITH RECURSIVE split(domain, tech, rest) AS (
  SELECT domain, '', COALESCE(technologies, '') || ';' FROM accounts
  UNION ALL
  SELECT domain, substr(rest, 1, instr(rest, ';') - 1), substr(rest, instr(rest, ';') + 1)
  FROM split WHERE rest <> ''
)
SELECT domain, tech FROM split WHERE tech <> '';
CREATE INDEX people_q1 ON people(account_domain, country, seniority, eligible, person_ref);
CREATE INDEX people_q3 ON people(account_domain, function, person_ref);
CREATE INDEX accounts_industry ON accounts(industry);
CREATE INDEX accounts_band ON accounts(employee_band);
CREATE INDEX account_tech_tech ON account_tech(tech, domain);
CREATE INDEX static_list_ref ON static_list(person_ref);
CREATE INDEX withdrawals_ref ON withdrawals(person_ref);
ANALYZE;
PRAGMA journal_mode=WAL;
"""
    with open(os.path.join(work, 'load.sql'), 'w') as fh:
        fh.write(load)
    t0 = time.perf_counter()
    with open(os.path.join(work, 'load.sql')) as fin, open(os.path.join(work, 'load.log'), 'w') as flog:
        rc = subprocess.run(['sqlite3', '-batch', db], stdin=fin, stdout=flog, stderr=subprocess.STDOUT).returncode
    load_s = time.perf_counter() - t0
    with open(os.path.join(work, 'load.log')) as flog:
        log = flog.read()
    # the only expected output is the two journal_mode answers; anything else (an .import
    # warning about a short row, a failed INSERT) means the CSV did not load as it should
    noise = [l for l in log.splitlines() if l.strip() not in ('off', 'wal')]
    if rc != 0 or noise:
        die(f'sqlite load failed (rc {rc}):\n' + '\n'.join(noise)[-3000:])

    sh = Shell(['sqlite3', '-batch', '-bail', db], f'.print {MARK}',
               r'^Run Time: real ([0-9.]+)', errlog=os.path.join(work, 'bench.err'))
    # Session settings: 2 GB page cache, memory-mapped reads, durable commits (WAL + FULL).
    sh.run('PRAGMA cache_size=-2000000; PRAGMA mmap_size=8589934592; PRAGMA temp_store=MEMORY; '
           'PRAGMA synchronous=FULL')
    rows, _, _ = sh.run('PRAGMA journal_mode')
    if rows != ['wal']:
        die(f'expected WAL mode, got {rows}')
    sh.run('.headers off\n.mode list\n.timer on')
    res = bench_queries(sh, Q, runs)
    query_plans = plans(sh, Q, 'EXPLAIN QUERY PLAN ')

    # Ingest: the bare .import of people.csv into a fresh table (one transaction, durable).
    sh.run('.timer off')
    sh.run(f'CREATE TABLE people_ingest({text_cols(PEOPLE_COLS)})')
    _, ingest_ms, _ = sh.run(f'.import --csv --skip 1 "{f["people"]}" people_ingest')
    check_ingest_count(sh.run('SELECT count(*) FROM people_ingest')[0], f['people'])
    sh.close()

    write_out(out, {
        'system': 'sqlite',
        'version': version,
        'load_s': r3(load_s),
        'ingest_s': round(ingest_ms / 1000.0, 4),
        'ingest_form': '.import --csv --skip 1 into a new TEXT-column table (WAL, synchronous=FULL)',
        'queries': res,
        'plans': query_plans,
    })


# ---------------------------------------------------------------- PostgreSQL

def run_postgres(gen, export, out, work):
    params = load_params(export)
    Q = load_queries(params)
    runs = int(params['runs'])
    f, hdr = inputs(gen, export)
    psql = ['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1']

    def copy(key, table):
        h = 'true' if hdr.get(key, True) else 'false'
        return f"\\copy {table} FROM '{f[key]}' WITH (FORMAT csv, HEADER {h})"

    text_cols = lambda cols: ', '.join(f'{c} text' for c in cols)
    load = f"""
CREATE TABLE accounts({text_cols(ACCOUNT_COLS)});
{copy('accounts', 'accounts')}
CREATE TABLE people_csv({text_cols(PEOPLE_COLS)});
{copy('people', 'people_csv')}
CREATE TABLE eligibility(person_ref text NOT NULL, eligible smallint NOT NULL);
{copy('eligibility', 'eligibility')}
CREATE TABLE people AS
  SELECT c.*, e.eligible
  FROM people_csv c JOIN eligibility e ON e.person_ref = c.person_ref;
DROP TABLE people_csv;
DROP TABLE eligibility;
ALTER TABLE people ADD PRIMARY KEY (person_ref);
ALTER TABLE accounts ADD PRIMARY KEY (domain);
CREATE TABLE account_intent(domain text PRIMARY KEY, score double precision NOT NULL, gauge integer NOT NULL);
{copy('intent', 'account_intent')}
CREATE TABLE static_list(person_ref text NOT NULL);
{copy('static', 'static_list')}
CREATE TABLE withdrawals(person_ref text NOT NULL);
{copy('withdrawals', 'withdrawals')}
CREATE TABLE account_tech AS
  SELECT DISTINCT a.domain, t.tech
  FROM accounts a, unnest(string_to_array(a.technologies, ';')) AS t(tech)
  WHERE t.tech <> '';
ALTER TABLE account_tech ADD PRIMARY KEY (domain, tech);
CREATE INDEX account_tech_tech ON account_tech(tech, domain);
CREATE INDEX people_q1 ON people(account_domain, country, seniority, eligible) INCLUDE (person_ref);
CREATE INDEX people_q3 ON people(account_domain, function) INCLUDE (person_ref);
CREATE INDEX accounts_industry ON accounts(industry);
CREATE INDEX accounts_band ON accounts(employee_band);
CREATE INDEX static_list_ref ON static_list(person_ref);
CREATE INDEX withdrawals_ref ON withdrawals(person_ref);
VACUUM ANALYZE;
CHECKPOINT;
"""
    with open(os.path.join(work, 'load.sql'), 'w') as fh:
        fh.write(load)
    t0 = time.perf_counter()
    with open(os.path.join(work, 'load.log'), 'w') as flog:
        rc = subprocess.run(psql + ['-f', os.path.join(work, 'load.sql')], stdout=flog,
                            stderr=subprocess.STDOUT).returncode
    load_s = time.perf_counter() - t0
    if rc != 0:
        with open(os.path.join(work, 'load.log')) as flog:
            die(f'postgres load failed (rc {rc}):\n{flog.read()[-3000:]}')

    sh = Shell(psql, f'\\echo {MARK}', r'^Time: ([0-9.]+) ms', errlog=os.path.join(work, 'bench.err'))
    version = sh.run('SHOW server_version')[0][0]
    settings = {}
    for name in ('max_parallel_workers_per_gather', 'max_parallel_workers', 'shared_buffers', 'work_mem',
                 'jit', 'fsync', 'synchronous_commit', 'lc_collate'):
        settings[name] = sh.run(f'SHOW {name}')[0][0]
    if settings['lc_collate'] != 'C':
        die(f'cluster collation is {settings["lc_collate"]}, expected C (byte order for ties)')
    sh.run('\\timing on')
    res = bench_queries(sh, Q, runs)
    query_plans = plans(sh, Q, 'EXPLAIN ')

    # Ingest: bare COPY of people.csv into a fresh (logged) table, autocommit: durable.
    sh.run('\\timing off')
    sh.run(f'CREATE TABLE people_ingest({text_cols(PEOPLE_COLS)})')
    if os.environ.get('PEER_PG_SERVER_COPY') == '1':
        form = "server-side COPY people_ingest FROM 'file' (FORMAT csv, HEADER true)"
        cmd = f"COPY people_ingest FROM '{f['people']}' WITH (FORMAT csv, HEADER true)"
    else:
        form = "psql \\copy (COPY FROM STDIN; the server could not read the file itself)"
        cmd = f"\\copy people_ingest FROM '{f['people']}' WITH (FORMAT csv, HEADER true)"
    _, ingest_ms, _ = sh.run(cmd)
    check_ingest_count(sh.run('SELECT count(*) FROM people_ingest')[0], f['people'])
    sh.close()

    write_out(out, {
        'system': 'postgresql',
        'version': version,
        'load_s': r3(load_s),
        'ingest_s': round(ingest_ms / 1000.0, 4),
        'ingest_form': form,
        'settings': settings,
        'queries': res,
        'plans': query_plans,
    })


def main(argv):
    if len(argv) != 6 or argv[1] not in ('sqlite', 'postgres'):
        die('usage: peerlib.py sqlite|postgres GEN EXPORT OUT.json WORKDIR')
    _, which, gen, export, out, work = argv
    if which == 'sqlite':
        run_sqlite(gen, export, out, work)
    else:
        run_postgres(gen, export, out, work)


if __name__ == '__main__':
    main(sys.argv)
