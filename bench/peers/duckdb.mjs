#!/usr/bin/env node
// DuckDB peer of the fairlead benchmark (bench.md, "Peers").
//
//   node bench/peers/duckdb.mjs GEN EXPORT OUT.json
//
// In-process DuckDB through the npm package @duckdb/node-api (installed in bench/ by
// bench/peers/setup.sh), on a database file in a temporary directory (PEER_TMPDIR, else
// TMPDIR, else /tmp) so that Q5's UPDATE is durable (DuckDB's WAL); removed at the end.
// Everything runs in one process: the ~200 ms module start-up and the load are outside the
// timed part, every query gets an untimed warm-up run, then params.json's `runs` runs timed
// with performance.now() around runAndReadAll (execution plus the result rows reaching JS).
// Query text: bench/peers/queries.sql, the same as for the SQLite and PostgreSQL peers.
//
// Load (not timed): read_csv of every table with explicit column types (people as VARCHAR);
// people = the rows of people.csv listed in eligibility.csv (the others were suppressed:
// fairlead never stores them), with its eligible flag as people.eligible; account_tech exploded with
// unnest(string_split()). No indexes: DuckDB answers these with hash joins over columnar
// scans (its ART indexes do not speed up such scans); threads = DuckDB's default (all cores).
// Q3: two queries (ids with ORDER BY ... LIMIT, then count(*)), timed separately and added.
// Ingest: INSERT INTO a fresh VARCHAR table SELECT * FROM read_csv(people.csv) (autocommit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEOPLE_COLS = ('person_ref first_name last_name email email2 email_visibility phone title seniority ' +
  'function country region recipient stage account_domain collected_at opt_out_offered ' +
  'transparency_notice_sent_at').split(' ');
const ACCOUNT_COLS = 'domain name industry employee_band revenue_band hq_country technologies'.split(' ');

function die(msg) {
  process.stderr.write(`duckdb peer: ${msg}\n`);
  process.exit(1);
}

const sqlLit = (s) => `'${String(s).replaceAll("'", "''")}'`;

function loadQueries(params) {
  const subst = {};
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) subst[k] = v.map(sqlLit).join(', ');
    else if (k === 'top_k' || k === 'runs') subst[k] = String(Math.trunc(Number(v)));
    else subst[k] = sqlLit(v);
  }
  const out = {};
  let name = null;
  let buf = [];
  for (const line of fs.readFileSync(path.join(HERE, 'queries.sql'), 'utf8').split('\n')) {
    const m = line.match(/^--\s*name:\s*(\S+)/);
    if (m) {
      if (name) out[name] = buf.join('\n').trim();
      name = m[1];
      buf = [];
    } else if (name && line.trim() && !line.trimStart().startsWith('--')) {
      buf.push(line.trimEnd());
    }
  }
  if (name) out[name] = buf.join('\n').trim();
  for (const k of Object.keys(out)) {
    out[k] = out[k].replace(/\{\{(\w+)\}\}/g, (_, key) => {
      if (!(key in subst)) die(`queries.sql uses {{${key}}}, absent from params.json`);
      return subst[key];
    });
  }
  return out;
}

function hasHeader(file, firstCol) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const line = buf.subarray(0, n).toString('utf8').split('\n')[0].replace(/^\ufeff/, '').trim();
  return line.split(',')[0].replace(/"/g, '') === firstCol;
}

function checkPath(p) {
  if (!fs.existsSync(p) || !fs.statSync(p).isFile()) die(`missing input file ${p}`);
  if (/['"\n\\]/.test(p)) die(`unsupported character in path ${p}`);
  return path.resolve(p);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
const r3 = (x) => Math.round(x * 1000) / 1000;

// The ingest table must hold every record of people.csv (header excluded). Lines are
// counted fast; only when that disagrees are RFC 4180 records counted (a quoted field
// may hold a newline).
function checkIngestCount(got, file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 24);
  let lines = 0;
  let last = 10;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const view = buf.subarray(0, n);
    for (let i = view.indexOf(10); i !== -1; i = view.indexOf(10, i + 1)) lines++;
    last = view[n - 1];
  }
  fs.closeSync(fd);
  if (last !== 10) lines++;
  if (got === lines - 1) return;
  const data = fs.readFileSync(file);
  let inQ = false;
  let records = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 34) inQ = !inQ;
    else if (data[i] === 10 && !inQ) records++;
  }
  if (data.length && data[data.length - 1] !== 10) records++;
  if (got !== records - 1) die(`ingest loaded ${got} rows, ${file} has ${records - 1} records`);
}

async function main() {
  const [gen, exportDir, outArg] = process.argv.slice(2);
  if (!outArg) die('usage: node duckdb.mjs GEN EXPORT OUT.json');
  const params = JSON.parse(fs.readFileSync(path.join(exportDir, 'params.json'), 'utf8'));
  for (const k of ['q1_countries', 'q1_seniorities', 'q1_industry', 'q3_techs', 'q3_bands', 'q3_functions', 'top_k', 'runs']) {
    if (!(k in params)) die(`params.json has no "${k}"`);
  }
  const Q = loadQueries(params);
  const runs = Math.trunc(Number(params.runs));
  const f = {
    accounts: checkPath(path.join(gen, 'accounts.csv')),
    people: checkPath(path.join(gen, 'people.csv')),
    eligibility: checkPath(path.join(exportDir, 'eligibility.csv')),
    intent: checkPath(path.join(exportDir, 'account_intent.csv')),
    static: checkPath(path.join(exportDir, 'static_list.csv')),
    withdrawals: checkPath(path.join(exportDir, 'withdrawals.csv')),
  };
  const hdr = {
    accounts: hasHeader(f.accounts, 'domain'),
    people: hasHeader(f.people, 'person_ref'),
    eligibility: hasHeader(f.eligibility, 'person_ref'),
    intent: hasHeader(f.intent, 'domain'),
    static: hasHeader(f.static, 'person_ref'),
    withdrawals: hasHeader(f.withdrawals, 'person_ref'),
  };
  if (!hdr.accounts || !hdr.people) die('accounts.csv and people.csv must start with their header line');

  const tmpRoot = process.env.PEER_TMPDIR || process.env.TMPDIR || os.tmpdir();
  const work = fs.mkdtempSync(path.join(tmpRoot, 'fairlead-duckdb.'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

  try {
    const instance = await DuckDBInstance.create(path.join(work, 'peer.duckdb'));
    const con = await instance.connect();
    const rows = async (sql) => (await con.runAndReadAll(sql)).getRows();

    // read_csv with a fixed schema (no sniffing), RFC 4180 quoting
    const csv = (key, cols) => {
      const spec = cols.map(([c, t]) => `'${c}': '${t}'`).join(', ');
      return `read_csv('${f[key]}', header = ${hdr[key]}, auto_detect = false, delim = ',', ` +
        `quote = '"', escape = '"', columns = {${spec}})`;
    };
    const varchar = (cols) => cols.map((c) => [c, 'VARCHAR']);

    const t0 = performance.now();
    const load = [
      `CREATE TABLE accounts AS SELECT * FROM ${csv('accounts', varchar(ACCOUNT_COLS))}`,
      `CREATE TABLE people AS
         SELECT c.*, e.eligible
         FROM ${csv('people', varchar(PEOPLE_COLS))} c
         JOIN ${csv('eligibility', [['person_ref', 'VARCHAR'], ['eligible', 'INTEGER']])} e
           ON e.person_ref = c.person_ref`,
      `CREATE TABLE account_intent AS SELECT * FROM ${csv('intent', [['domain', 'VARCHAR'], ['score', 'DOUBLE'], ['gauge', 'INTEGER']])}`,
      `CREATE TABLE static_list AS SELECT * FROM ${csv('static', [['person_ref', 'VARCHAR']])}`,
      `CREATE TABLE withdrawals AS SELECT * FROM ${csv('withdrawals', [['person_ref', 'VARCHAR']])}`,
      `CREATE TABLE account_tech AS
         SELECT DISTINCT domain, tech
         FROM (SELECT domain, unnest(string_split(technologies, ';')) AS tech FROM accounts)
         WHERE tech <> ''`,
      'CHECKPOINT',
    ];
    for (const sql of load) await con.run(sql);
    const loadS = (performance.now() - t0) / 1000;

    const version = (await rows('SELECT version()'))[0][0];
    const pkg = JSON.parse(fs.readFileSync(
      path.join(path.dirname(createRequire(import.meta.url).resolve('@duckdb/node-api')), '..', 'package.json'), 'utf8'));
    const threads = String((await rows("SELECT current_setting('threads')"))[0][0]);

    const oneInt = (rs, what) => {
      if (rs.length !== 1 || rs[0].length !== 1) die(`${what}: expected one value, got ${JSON.stringify(rs.slice(0, 3))}`);
      return Number(rs[0][0]);
    };
    const ids = (rs) => rs.map((r) => String(r[0]));
    const timedOnce = async (sql) => {
      const s = performance.now();
      const r = await rows(sql);
      return [r, performance.now() - s];
    };
    const timed = async (name) => {
      await rows(Q[name]); // warm-up, untimed
      let first = null;
      const ms = [];
      for (let i = 0; i < runs; i++) {
        const [r, t] = await timedOnce(Q[name]);
        const key = JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
        if (first === null) first = { r, key };
        else if (key !== first.key) die(`${name} gave different answers on repeated runs`);
        ms.push(t);
      }
      return [first.r, ms];
    };
    const entry = (ms) => ({ median_ms: r3(median(ms)), runs_ms: ms.map(r3) });

    const queries = {};
    {
      const [r, ms] = await timed('Q1');
      queries.Q1 = { ...entry(ms), count: oneInt(r, 'Q1') };
    }
    {
      const [r, ms] = await timed('Q2');
      queries.Q2 = { ...entry(ms), ids: ids(r) };
    }
    {
      const [ri, mi] = await timed('Q3_ids');
      const [rc, mc] = await timed('Q3_count');
      queries.Q3 = {
        ...entry(mi.map((x, i) => x + mc[i])),
        count: oneInt(rc, 'Q3_count'),
        ids: ids(ri),
        ids_runs_ms: mi.map(r3),
        count_runs_ms: mc.map(r3),
        form: 'two queries (ORDER BY ... LIMIT for the ids, count(*) for the count), timed separately and added per run',
      };
    }
    {
      const [r, ms] = await timed('Q4');
      queries.Q4 = { ...entry(ms), count: oneInt(r, 'Q4') };
    }
    {
      const [, w] = await timedOnce(Q.Q5_write);
      const [r, q] = await timedOnce(Q.Q2);
      queries.Q5 = { write_ms: r3(w), query_ms: r3(q), ids: ids(r) };
    }

    // The plan each query got (EXPLAIN, not executed), for the reader of the results.
    const plans = {};
    for (const name of ['Q1', 'Q2', 'Q3_ids', 'Q3_count', 'Q4', 'Q5_write']) {
      plans[name] = (await rows(`EXPLAIN ${Q[name]}`)).map((r) => String(r[r.length - 1])).join('\n');
    }

    // Ingest: the bare read_csv of people.csv into a fresh table.
    await con.run(`CREATE TABLE people_ingest (${PEOPLE_COLS.map((c) => `${c} VARCHAR`).join(', ')})`);
    const [, ingestMs] = await timedOnce(`INSERT INTO people_ingest SELECT * FROM ${csv('people', varchar(PEOPLE_COLS))}`);
    checkIngestCount(oneInt(await rows('SELECT count(*) FROM people_ingest'), 'ingest count'), f.people);

    con.closeSync?.();
    instance.closeSync?.();

    const out = {
      system: 'duckdb',
      version: `${version} (@duckdb/node-api ${pkg.version})`,
      load_s: r3(loadS),
      ingest_s: Math.round(ingestMs * 10) / 10000,
      ingest_form: 'INSERT INTO a new VARCHAR table SELECT * FROM read_csv(..., auto_detect = false, columns = {...})',
      settings: { threads },
      queries,
      plans,
    };
    const outPath = path.resolve(outArg);
    fs.writeFileSync(`${outPath}.tmp`, `${JSON.stringify(out, null, 1)}\n`);
    fs.renameSync(`${outPath}.tmp`, outPath);
  } finally {
    cleanup();
  }
}

main().catch((e) => {
  process.stderr.write(`duckdb peer: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
