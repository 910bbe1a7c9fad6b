#!/usr/bin/env python3
"""Combines Stryker.NET JSON reports: per-file and total score, then every surviving / uncovered mutant.

score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored mutants
do not count. Exit 0 when the total is at least BREAK, 1 otherwise.
A file that appears in several reports is taken from the last report that holds it (a rerun of a few files with
`--mutate` replaces those files of the full run: list the full report first, the rerun after it).
usage: mutation_score.py [--markdown] REPORT.json...
"""
import json, os, sys

BREAK = 85.0
rows, survivors, tot = [], [], dict(k=0, t=0, s=0, n=0)
md = "--markdown" in sys.argv
COUNTED = ("Killed", "Timeout", "Survived", "NoCoverage")

def repo_path(name):
    """The path from the repository root (reports hold absolute paths; a run may live in another checkout)."""
    name = name.replace(os.sep, "/")
    i = name.rfind("/src/")
    return name[i + 1:] if i >= 0 else (os.path.relpath(name, os.getcwd()) if os.path.isabs(name) else name)

files = {}
for path in [a for a in sys.argv[1:] if a != "--markdown"]:
    rep = json.load(open(path))
    for name, f in rep["files"].items():
        if any(m["status"] in COUNTED for m in f["mutants"]):
            files[repo_path(name)] = f
for rel, f in sorted(files.items()):
    c = dict(k=0, t=0, s=0, n=0)
    lines = f["source"].splitlines()
    for m in f["mutants"]:
        st = m["status"]
        key = {"Killed": "k", "Timeout": "t", "Survived": "s", "NoCoverage": "n"}.get(st)
        if key is None:
            continue
        c[key] += 1
        if key in "sn":
            ln = m["location"]["start"]["line"]
            survivors.append((rel, ln, st, m["mutatorName"], m.get("replacement", "").replace("\n", " ")[:90],
                              lines[ln - 1].strip()[:90] if ln - 1 < len(lines) else ""))
    rows.append((rel, c))
    for k in tot: tot[k] += c[k]

def pct(c):
    v = sum(c.values()); return 100.0 * (c["k"] + c["t"]) / v if v else 100.0

if md:
    print("| file | killed | timeout | survived | no coverage | score |\n|---|---:|---:|---:|---:|---:|")
    for rel, c in rows:
        print(f"| `{rel}` | {c['k']} | {c['t']} | {c['s']} | {c['n']} | {pct(c):.2f} % |")
    print(f"| **total** | {tot['k']} | {tot['t']} | {tot['s']} | {tot['n']} | **{pct(tot):.2f} %** |\n")
    for rel, ln, st, mut, rep, src in survivors:
        print(f"- `{rel}:{ln}` {st}, {mut}: `{rep}`  ·  `{src}`")
    sys.exit(0 if pct(tot) >= BREAK else 1)
print(f"{'file':60} {'killed':>6} {'tmout':>5} {'surv':>5} {'nocov':>5} {'score':>7}")
for rel, c in rows:
    print(f"{rel:60} {c['k']:6} {c['t']:5} {c['s']:5} {c['n']:5} {pct(c):6.2f}%")
print(f"{'TOTAL':60} {tot['k']:6} {tot['t']:5} {tot['s']:5} {tot['n']:5} {pct(tot):6.2f}%")
print()
for rel, ln, st, mut, rep, src in survivors:
    print(f"{st:10} {rel}:{ln}  [{mut}] -> {rep!r}   | {src}")
sys.exit(0 if pct(tot) >= BREAK else 1)
