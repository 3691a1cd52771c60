#!/usr/bin/env python3
"""Checks that every system gave the same answers and writes bench/RESULTS.md.

usage: report.py OUT_DIR PEOPLE RESULTS.md
Exits 1 (and writes nothing) when any peer's counts or ordered ids differ from fairlead's.
"""
import json
import os
import platform
import subprocess
import sys


def load(out, name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None


def git_commit():
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def machine_line():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) * 1024
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{nproc} cores ({cpu}), {mem / 2**30:.1f} GiB memory, {platform.system()} {platform.release()}"


def fmt_ms(v):
    return f"{v:.3f} ms" if v < 10 else f"{v:.1f} ms"


def main():
    out, people, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    fl = load(out, "fairlead.json")
    peers = [p for p in (load(out, n) for n in ("sqlite.json", "postgresql.json", "duckdb.json")) if p]
    errors = []
    q = fl["queries"]
    for p in peers:
        pq, name = p["queries"], p["system"]
        checks = [("Q1 count", q["Q1"]["count"], pq["Q1"]["count"]), ("Q2 ids", q["Q2"]["ids"], pq["Q2"]["ids"]),
                  ("Q3 count", q["Q3"]["count"], pq["Q3"]["count"]), ("Q3 ids", q["Q3"]["ids"], pq["Q3"]["ids"]),
                  ("Q4 count", q["Q4"]["count"], pq["Q4"]["count"]), ("Q5 ids", q["Q5"]["ids"], pq["Q5"]["ids"])]
        for what, a, b in checks:
            if a != b:
                errors.append(f"{name}: {what} differs from fairlead ({str(a)[:80]} vs {str(b)[:80]})")
    cedar = load(out, "cedar.json")
    if cedar and cedar.get("mismatches", 0) != 0:
        errors.append(f"cedar: {cedar['mismatches']} decisions differ from fairlead")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)

    rows = []
    for op, key in (("Q1 count", "Q1"), ("Q2 top-100", "Q2"), ("Q3 any/all/exclude", "Q3"), ("Q4 accounts", "Q4")):
        base = q[key]["median_ms"]
        rows.append(("fairlead", op, fmt_ms(base), "1"))
        for p in peers:
            v = p["queries"][key]["median_ms"]
            rows.append((p["system"], op, fmt_ms(v), f"{v / base:.0f}x slower" if v >= base else f"{base / v:.1f}x faster"))
    q5 = q["Q5"]
    fl_q5 = q5["write_ms"] + q5["index_update_ms"] + q5["query_ms"]
    rows.append(("fairlead", "Q5 10k withdrawals + Q2", f"{fl_q5:.0f} ms (write {q5['write_ms']:.0f} + index "
                 f"{q5['index_update_ms']:.0f} + query {q5['query_ms']:.1f})", "1"))
    for p in peers:
        v = p["queries"]["Q5"]["write_ms"] + p["queries"]["Q5"]["query_ms"]
        rows.append((p["system"], "Q5 10k withdrawals + Q2", f"{v:.0f} ms (write {p['queries']['Q5']['write_ms']:.0f} + "
                     f"query {p['queries']['Q5']['query_ms']:.1f})", f"{v / fl_q5:.2f}x"))
    ingest = load(out, "fairlead_ingest.json")
    if ingest:
        rows.append(("fairlead", f"ingest {people:,} people (full path)", f"{ingest['ingest_s']:.1f} s", "1"))
        for p in peers:
            v = p.get("ingest_s")
            if v:
                rows.append((p["system"], f"ingest (bare {p.get('ingest_form', 'bulk load')})", f"{v:.1f} s",
                             f"fairlead is {ingest['ingest_s'] / v:.1f}x slower"))
    phones = load(out, "fairlead_phones.json")
    sqlite_ingest = next((p.get("ingest_s") for p in peers if p["system"] == "sqlite" and p.get("ingest_s")), None)
    floor = load(out, "fairlead_store_floor.json")
    if ingest and floor:
        fs = floor["store_floor_s"]
        rows.append(("sqlite", f"store floor: the {floor['people']:,} people and {floor['emails']:,} emails rows "
                     "fairlead stored, inserted by SQLite alone into fairlead's schema and indexes (bench/store_floor.sh)",
                     f"{fs:.1f} s", f"fairlead is {ingest['ingest_s'] / fs:.2f}x slower"
                     + (f"; the floor is {fs / sqlite_ingest:.1f}x .import" if sqlite_ingest else "")))
    ev = load(out, "fairlead_events.json")
    if ev:
        rate = ev["events_per_s"]
        rows.append(("fairlead", f"intent: {ev['events']:,} events, index resident (parse, decide(track), durable "
                     f"store, score), one core", f"{ev['events_s']:.2f} s = {rate:,.0f} events/s",
                     "(target 2,000,000/s per core: not met)" if rate < 2e6 else "target 2,000,000/s per core: met"))
    dec = load(out, "fairlead_decide.json")
    if dec:
        rows.append(("fairlead", "decide (one core)", f"{dec['decides_per_s_median']:,.0f} /s", "1"))
        if cedar:
            rows.append(("cedar-wasm", f"decide ({cedar.get('path', '')})", f"{cedar['decides_per_s_median']:,.0f} /s",
                         f"{dec['decides_per_s_median'] / cedar['decides_per_s_median']:.0f}x slower"))
    mem = fl.get("memory", {})

    lines = [f"# Benchmark results ({people:,} people)", "",
             f"Machine: {machine_line()}. Code: commit {git_commit()}.", "",
             f"Generated by `bench/run {people}`: every system loads the same generated data, runs the same "
             f"queries (../shared/spec/bench.md) and returned exactly the same counts and ordered ids "
             f"(checked by bench/report.py; a difference fails the run). Medians of "
             f"{len(q['Q1']['runs_ms'])} runs after a warm-up; ratios are the peer's time over fairlead's.", "",
             "| system | operation | median | ratio to fairlead |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "## What the figures mean, and what limits them",
              f"- Answers: Q1 {q['Q1']['count']:,} people, Q3 {q['Q3']['count']:,} people, Q4 {q['Q4']['count']:,} accounts.",
              f"- fairlead times queries inside one process on its in-memory index; the eligibility set for "
              f"(marketing.security, email, contact, list_builder) was built once before timing "
              f"({fl.get('eligibility_build_s', 0):.1f} s, by running decide on every person), as the peers get theirs "
              f"precomputed (the `eligibility.csv` that fairlead exported). Index load from SQLite (cold, no "
              f"snapshot): {fl.get('load_s', 0):.1f} s; written as a snapshot "
              f"({fl.get('snapshot_bytes', 0) / 2**20:.0f} MiB, {fl.get('snapshot_write_s', 0):.1f} s) and started "
              f"from it, as every later start with the store unchanged does: {fl.get('snapshot_load_s', 0):.1f} s "
              f"(the queries ran on that index)." + (
                  f" After Q5's writes, a start from that snapshot caught up from the store's change log "
                  f"({fl['catch_up']['people']:,} people read again): {fl['catch_up']['load_s']:.1f} s."
                  if 'catch_up' in fl else ""),
              f"- Memory: the index holds {mem.get('index_bytes', 0) / 2**20:.0f} MiB for {mem.get('people', 0):,} people "
              f"({mem.get('index_bytes_per_person', 0):.0f} bytes per person, counted by the index itself); the process "
              f"peaked at {mem.get('peak_rss_bytes', 0) / 2**20:.0f} MiB resident (SQLite cache, intent model and load "
              f"buffers included).",
              "- SQLite and PostgreSQL are timed from a wall clock around each statement sent through a pipe to "
              "their shell (about 0.1 ms of overhead included); DuckDB inside its Node process. Indexes and settings "
              "per peer: bench/peers/README.md.",
              "- Ingest: fairlead's figure is the whole import path (CSV parsing, normalisation with ICU, libidn2 and "
              "libphonenumber, validation, suppression check, dedupe, durable SQLite store) for the people file; "
              "the peers' figure is their bare bulk loader into a table of text columns, which does far less work."
              + (f" Phone normalisation alone (`fairlead bench phones`, one thread) takes {phones['phones_s']:.1f} s "
                 f"for the file's {phones['phones']:,} phones ({phones['us_per_phone']:.2f} us each; "
                 f"{phones.get('fast_path', 0):,} by the RE2 fast path over libphonenumber's metadata), against "
                 f"{phones.get('library_us_per_phone', 0):.1f} us each for libphonenumber alone (first "
                 f"{phones.get('library_sample', 0):,} phones). What limits it now is the storing thread: five or "
                 "six SQLite statements per person (email and ref lookups, the people row with its account index, "
                 "the email row), each a statement's fixed cost plus a seek in an index of random keys; the "
                 "peers' loaders append to one table with no index." if phones else "")
              + (f" The store's floor (the 'store floor' row): SQLite alone, given exactly the rows fairlead stored "
                 f"and none of the work before them, needs {floor['store_floor_s']:.1f} s to write them into "
                 f"fairlead's tables, indexes and settings in one durable transaction"
                 + (f", {floor['store_floor_s'] / sqlite_ingest:.1f}x its own bare .import (building the indexes "
                    "after the rows, and the emails in address order, was slower when tried at 1M: 13.9 s against "
                    "12.3 s). An import path that stores these rows on this schema does at least that work, so a "
                    "target of 2x .import is "
                    + ("below" if floor['store_floor_s'] >= 2 * sqlite_ingest else "close to")
                    + " the floor, and fairlead's path spends "
                    f"{ingest['ingest_s'] - floor['store_floor_s']:.1f} s beyond it." if sqlite_ingest else ".")
                 if floor and ingest else ""),
              "- Absolute times on a 2-core virtual machine are noisy, and the machine's speed drifts between "
              "and within runs (up to 2x for unchanged code: compare the decide rate, whose code and work are "
              "fixed, across runs); the ratios and the growth with N are what count, and a ratio near a target "
              "can land on either side of it from one run to the next."]
    if ev:
        lines.append(f"- Events: `fairlead bench events` loads the people index ({ev['index_load_s']:.1f} s), the "
                     f"address map ({ev['addresses']:,} addresses, {ev['address_map_s']:.1f} s) and the intent model "
                     f"({ev['intent_load_s']:.1f} s) first, as a resident server holds them, "
                     + ("syncs what the loads wrote (a new index snapshot is a gigabyte) to the disk, "
                        if "synced" in ev.get("note", "") else "")
                     + f"then times the import "
                     f"from the first byte read to the durable commit: every event parsed, its email normalised and "
                     f"looked up, decide(track) answered for its person at the event's time (decided once per person and "
                     f"reused while policy's NextChange says the answer holds), appended to the event log "
                     f"(O_DIRECT, fdatasync at commit) and added to the intent model. {ev['anonymized']:,} events were kept at "
                     f"account level only." + (f" CPU time of the import: {ev['events_cpu_s']:.2f} s." if 'events_cpu_s' in ev else ""))
    if cedar:
        lines.append(f"- Decide: {dec['requests']:,} generated contact-by-email requests; fairlead decides them in "
                     f"memory on one thread; Cedar ({cedar.get('path', '')}) evaluates the same rules written as Cedar "
                     f"policies, with the temporal facts precomputed in JavaScript ({cedar.get('precomputed_in_js', '')}); "
                     f"both gave the same answers ({cedar['mismatches']} mismatches).")
    # One file per size, and RESULTS.md holding every size measured so far (largest first).
    per_size_dir = os.path.join(os.path.dirname(results) or ".", "results")
    os.makedirs(per_size_dir, exist_ok=True)
    json.dump({"people": people, "fairlead": fl, "peers": peers, "cedar": cedar, "ingest": ingest,
               "decide": dec, "events": ev, "phones": phones, "store_floor": floor}, open(os.path.join(per_size_dir, f"{people}.json"), "w"), indent=1)
    open(os.path.join(per_size_dir, f"{people}.md"), "w").write("\n".join(lines) + "\n")
    sizes = sorted((int(f[:-3]) for f in os.listdir(per_size_dir) if f.endswith(".md") and f[:-3].isdigit()),
                   reverse=True)
    parts = ["# Benchmark results", "",
             "Every figure below comes from `bench/run PEOPLE` (one size per section, largest first). "
             "`bench/results/PEOPLE.json` keeps the raw numbers.", ""]
    if len(sizes) > 1:
        small, large = sizes[-1], sizes[0]
        a = json.load(open(os.path.join(per_size_dir, f"{small}.json")))["fairlead"]["queries"]
        b = json.load(open(os.path.join(per_size_dir, f"{large}.json")))["fairlead"]["queries"]
        parts += [f"## Growth of fairlead's medians from {small:,} to {large:,} people ({large // small}x)", "",
                  "| query | " + f"{small:,} | {large:,} | growth |", "| --- | --- | --- | --- |"]
        for k in ("Q1", "Q2", "Q3", "Q4"):
            parts.append(f"| {k} | {fmt_ms(a[k]['median_ms'])} | {fmt_ms(b[k]['median_ms'])} | "
                         f"{b[k]['median_ms'] / a[k]['median_ms']:.1f}x |")
        parts.append("")
    for n in sizes:
        text = open(os.path.join(per_size_dir, f"{n}.md")).read()
        parts.append(text.replace("# Benchmark results (", "## Results at ", 1).replace(" people)\n", " people\n", 1))
    open(results, "w").write("\n".join(parts))
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
