#!/usr/bin/env bash
# The peers table of issue 6: `poolconf bench` (reference, optimized, onnxruntime, copy) and PyTorch
# (adapters/python/torch_bench.py, Debian python3-torch) on the workloads W1-W8 at 1 and 2 threads, then ONE table:
# per workload each peer's median ms, the optimized/ORT and optimized/PyTorch speed ratios (peer time / optimized time,
# > 1 = optimized faster) and the optimized kernel's share of the copy bound's bandwidth. Markdown, ready for
# docs/performance.md. Raw results (JSON, the per-workload tables) stay in OUTDIR.
#
#   scripts/bench-peers.sh [OUTDIR]        env: THREADS=1,2  REPEATS=7  WORKLOADS=W1,...  NO_BUILD=1
#
# Measure on a machine as idle as you can get it: the load average before and after is printed with the table.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d -t bench-peers.XXXXXX)}
mkdir -p "$out"
threads=${THREADS:-1,2}
repeats=${REPEATS:-7}
workloads=${WORKLOADS:-}
py=/usr/bin/python3

if [ -z "${NO_BUILD:-}" ]; then
  echo "bench-peers: building src/Cli (Release)" >&2
  dotnet build src/Cli/PoolingConformance.Cli.csproj -c Release -v quiet -nologo >&2
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
wl=()
[ -n "$workloads" ] && wl=(--workloads "$workloads")

echo "bench-peers: poolconf bench (reference, optimized, onnxruntime, copy; threads $threads) -> $out/poolconf.json" >&2
dotnet src/Cli/bin/Release/net10.0/poolconf.dll bench --backends reference,optimized,onnxruntime,copy --threads "$threads" \
  --repeats "$repeats" "${wl[@]}" --json "$out/poolconf.json" > "$out/poolconf.txt"

if "$py" -c 'import torch' 2>/dev/null; then
  echo "bench-peers: PyTorch (adapters/python/torch_bench.py; threads $threads) -> $out/torch.json" >&2
  "$py" adapters/python/torch_bench.py --threads "$threads" --repeats "$repeats" "${wl[@]}" --json "$out/torch.json" > "$out/torch.txt"
else
  echo "bench-peers: PyTorch is not importable by $py (apt-get install python3-torch python3-torchvision): its columns stay empty" >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

"$py" - "$out/poolconf.json" "$out/torch.json" "$load_before" "$load_after" <<'PY'
import json, os, sys
pc = json.load(open(sys.argv[1]))
tj = json.load(open(sys.argv[2])) if os.path.exists(sys.argv[2]) else None
threads = pc["settings"]["threads"]
torch_by = {w["name"]: w for w in tj["workloads"]} if tj else {}

def entry(w, backend, t):
    for r in w["results"]:
        if r["backend"] == backend and r["threads"] == t:
            return r
    return None

def ms(r):
    if r is None: return None
    return r.get("median_ms") if r.get("status") == "ok" else None

def fmt(v, spec="{:.3g}"):
    return "–" if v is None else spec.format(v)

def cell(r):
    if r is None: return "–"
    if r.get("status") != "ok":
        return {"n/a": "n/a", "wrong": "WRONG"}.get(r.get("status"), "error")
    v = r["median_ms"]
    return f"{v:.1f}" if v >= 100 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"

m = pc["machine"]
print(f"Measured {pc['date']} on {m['cpu']} ({m['processor_count']} logical CPUs), {m['os']}, {m['dotnet']}, widest ISA tier {m['isa_tier']};"
      f" load average before {sys.argv[3]}, after {sys.argv[4]}." + (f" PyTorch {tj['torch']}, torchvision {tj['torchvision']}." if tj else " PyTorch: not run."))
print(f"Median ms per run of {pc['settings']['repeats']} interleaved samples. Ratios: peer time / optimized time (> 1: optimized faster); "
      "copy % = optimized GB/s as a share of the copy bound's at the same thread count.")
print()
head = ["workload", "reference"]
for t in threads:
    head += [f"optimized {t}t", f"ORT {t}t", f"PyTorch {t}t", f"copy {t}t"]
for t in threads:
    head += [f"opt/ORT {t}t", f"opt/PyTorch {t}t", f"copy % {t}t"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
problems = []
for w in pc["workloads"]:
    name = w["name"]
    tw = torch_by.get(name)
    if tw and "output_bytes" in tw and tw["output_bytes"] != w["output_bytes"]:
        problems.append(f"{name}: PyTorch output is {tw['output_bytes']} bytes, poolconf's {w['output_bytes']}: the workload definitions differ")
    row = [name, cell(entry(w, "reference", 1))]
    ratios = []
    for t in threads:
        opt, ort, cp = entry(w, "optimized", t), entry(w, "onnxruntime", t), entry(w, "copy", t)
        tr = next((r for r in tw["results"] if r["threads"] == t), None) if tw else None
        row += [cell(opt), cell(ort), cell(tr), cell(cp)]
        o, x, p, c = ms(opt), ms(ort), ms(tr), ms(cp)
        ratios += [fmt(x / o if o and x else None, "{:.2f}×"), fmt(p / o if o and p else None, "{:.2f}×"),
                   fmt(100 * c / o if o and c else None, "{:.0f} %")]
    for r in w["results"]:
        if r["status"] in ("wrong", "error"):
            problems.append(f"{name}: {r['backend']} {r['threads']}t {r['status']}: {r['reason']}")
    print("| " + " | ".join(row + ratios) + " |")
# The benchmark goals of issue 6 ("Done when"), workload by workload: optimized >= 1.5x ONNX Runtime and >= 1.2x PyTorch
# throughput at the same thread count, and >= 60 % of the copy bound's bandwidth on W1, W2, W5 with one thread.
print()
print("Goals of issue 6 (met: yes / no / – not measurable):")
print()
gh = ["workload"] + [f"≥ 1.5× ORT {t}t" for t in threads] + [f"≥ 1.2× PyTorch {t}t" for t in threads] + ["≥ 60 % copy 1t"]
print("| " + " | ".join(gh) + " |")
print("|" + "---|" * len(gh))
def verdict(v, goal, spec):
    return "–" if v is None else ("yes" if v >= goal else "no") + " (" + spec.format(v) + ")"
for w in pc["workloads"]:
    name = w["name"]
    tw = torch_by.get(name)
    row = [name]
    for t in threads:
        o, x = ms(entry(w, "optimized", t)), ms(entry(w, "onnxruntime", t))
        row.append(verdict(x / o if o and x else None, 1.5, "{:.2f}×"))
    for t in threads:
        o = ms(entry(w, "optimized", t))
        tr = next((r for r in tw["results"] if r["threads"] == t), None) if tw else None
        p = ms(tr)
        row.append(verdict(p / o if o and p else None, 1.2, "{:.2f}×"))
    if name.split("-")[0] in ("W1", "W2", "W5"):
        o, c = ms(entry(w, "optimized", 1)), ms(entry(w, "copy", 1))
        row.append(verdict(100 * c / o if o and c else None, 60, "{:.0f} %"))
    else:
        row.append("(not a goal)")
    print("| " + " | ".join(row) + " |")
na = sorted({(r["backend"], r["reason"]) for w in pc["workloads"] for r in w["results"] if r["status"] == "n/a"})
if na:
    print()
    for b, why in na:
        print(f"- n/a {b}: {why}")
for p in problems:
    print(f"- PROBLEM {p}")
PY
echo "bench-peers: raw results in $out" >&2
