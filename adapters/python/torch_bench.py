#!/usr/bin/python3
"""PyTorch on the bench workloads of issue 6 (W1-W8), for scripts/bench-peers.sh.

    /usr/bin/python3 adapters/python/torch_bench.py [--threads 1,2] [--workloads W1,W2] [--repeats 7]
                                                    [--min-time 0.05] [--json FILE]

The workloads repeat src/Optimized/Bench/BenchWorkload.cs (same shapes, parameters and float32 input values: the
SplitMix64 fill of BenchWorkload.Uniform, reimplemented below; NHWC through torch.channels_last). Timing follows
`poolconf bench`: a warm-up, then --repeats samples per thread count taken interleaved (repetition r times every thread
count once), each sample running the op k times so that it lasts at least --min-time seconds; the median and the minimum
of the per-run times are reported. Outputs are allocated by PyTorch on every call, as a model would. Written for Debian's
python3-torch 1.13 and python3-torchvision 0.14 (run with /usr/bin/python3). Progress goes to stderr, the table to stdout.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

try:
    import torchvision
    from torchvision.ops import roi_align
except ImportError:  # W6 is then reported as n/a
    torchvision = None
    roi_align = None

SEED = 42
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def uniform(seed, count):
    """BenchWorkload.Uniform(seed, i) for i in [0, count): SplitMix64, top 24 bits onto [-1, 1) in steps of 2^-23."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (np.arange(1, count + 1, dtype=np.uint64) * GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return ((z >> np.uint64(40)).astype(np.float64) / float(1 << 23) - 1.0).astype(np.float32)


def features(n, c, h, w):
    return torch.from_numpy(uniform(SEED, n * c * h * w).reshape(n, c, h, w))


def boxes(k, n, h, w, scale):
    """BenchWorkload.CreateBoxes: K rows [batch, x1, y1, x2, y2] in image coordinates, quarter-pixel steps."""
    u = (uniform(SEED + 1, 4 * k).astype(np.float64).reshape(k, 4) + 1) / 2
    img_w, img_h = w / scale, h / scale
    bw = 32 + u[:, 2] * (img_w / 2 - 32)
    bh = 32 + u[:, 3] * (img_h / 2 - 32)
    quarter = lambda v: np.floor(v * 4) / 4
    x1, y1 = quarter(u[:, 0] * (img_w - bw)), quarter(u[:, 1] * (img_h - bh))
    rows = np.stack([np.arange(k) % n, x1, y1, quarter(x1 + bw), quarter(y1 + bh)], axis=1).astype(np.float32)
    return torch.from_numpy(rows)


def spp(x):
    return torch.cat([x] + [F.max_pool2d(x, k, 1, k // 2) for k in (5, 9, 13)], 1)


def workloads():
    """(name, label, make_input, op): the order and labels of BenchWorkload.All."""
    nhwc = lambda t: t.contiguous(memory_format=torch.channels_last)
    roi_in = lambda: (features(1, 256, 50, 50), boxes(512, 1, 50, 50, 1 / 16))
    return [
        ("W1", "max 1×64×112×112 k3 s2 p1 (ResNet pool1)", lambda: (features(1, 64, 112, 112),), lambda x: F.max_pool2d(x, 3, 2, 1)),
        ("W2", "max 1×64×224×224 k2 s2 (VGG)", lambda: (features(1, 64, 224, 224),), lambda x: F.max_pool2d(x, 2, 2)),
        ("W3", "avg 1×256×56×56 k3 s1 p1 exclude pad", lambda: (features(1, 256, 56, 56),),
         lambda x: F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)),
        ("W4", "global avg 8×2048×7×7", lambda: (features(8, 2048, 7, 7),), lambda x: F.adaptive_avg_pool2d(x, 1)),
        ("W5-NCHW", "max 32×64×56×56 k3 s2 p1, NCHW", lambda: (features(32, 64, 56, 56),), lambda x: F.max_pool2d(x, 3, 2, 1)),
        ("W5-NHWC", "max 32×64×56×56 k3 s2 p1, NHWC", lambda: (nhwc(features(32, 64, 56, 56)),), lambda x: F.max_pool2d(x, 3, 2, 1)),
        ("W6", "roi_align 1×256×50×50, 512 boxes, 7×7, sampling 2, aligned, scale 1/16", roi_in,
         lambda x, b: roi_align(x, b, output_size=7, spatial_scale=1 / 16, sampling_ratio=2, aligned=True)),
        ("W7", "lp p=2 k3 s2 1×64×112×112", lambda: (features(1, 64, 112, 112),), lambda x: F.lp_pool2d(x, 2, 3, stride=2)),
        ("W8", "YOLOv3 SPP max 5/9/13 s1 same, 1×512×20×20", lambda: (features(1, 512, 20, 20),), spp),
    ]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--workloads", default=None)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.05)
    ap.add_argument("--warmup", type=float, default=0.25)
    ap.add_argument("--json", default=None)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                    help="cuda: inputs on the GPU, every timed loop closed by torch.cuda.synchronize(); threads do not apply")
    a = ap.parse_args(argv)
    try:
        threads = [int(t) for t in a.threads.split(",")]
        assert all(t >= 1 for t in threads)
    except (ValueError, AssertionError):
        ap.error(f"option '--threads': '{a.threads}' is not a list of positive integers")
    if a.repeats < 1:
        ap.error("option '--repeats' must be at least 1")
    if not a.min_time > 0:
        ap.error("option '--min-time' must be positive")
    all_w = workloads()
    names = [w[0] for w in all_w]
    wanted = names
    if a.workloads:
        wanted = []
        for n in a.workloads.split(","):
            hits = [m for m in names if m.lower() == n.lower() or m.lower().startswith(n.lower() + "-")]
            if not hits:
                ap.error(f"option '--workloads': unknown workload '{n}' (available: {', '.join(names)})")
            wanted += hits
    if a.device == "cuda" and not torch.cuda.is_available():
        print("torch_bench: no CUDA device", file=sys.stderr)
        return 2
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    if a.device == "cuda":
        threads = threads[:1]
    torch.set_grad_enabled(False)
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = []
    for name, label, make, op in all_w:
        if name not in wanted:
            continue
        entry = {"name": name, "label": label, "results": []}
        out.append(entry)
        if name == "W6" and roi_align is None:
            entry["results"] = [{"threads": t, "status": "n/a", "reason": "torchvision not importable"} for t in threads]
            continue
        inputs = tuple(t.to(dev) for t in make())  # .to keeps channels_last
        y = op(*inputs)
        entry["output_shape"] = list(y.shape)
        entry["output_bytes"] = y.numel() * y.element_size()
        entry["input_bytes"] = sum(t.numel() * t.element_size() for t in inputs)
        runs = {}
        for t in threads:  # warm-up at each thread count, sizing a sample to --min-time
            torch.set_num_threads(t)
            print(f"torch_bench: {name}: warm-up at {t} thread(s)", file=sys.stderr)
            t0, fastest, n = time.perf_counter(), float("inf"), 0
            while (n < 10 or time.perf_counter() - t0 < a.warmup) and time.perf_counter() - t0 < 2.0:
                s = time.perf_counter()
                op(*inputs)
                sync()
                fastest = min(fastest, time.perf_counter() - s)
                n += 1
            runs[t] = max(1, int(np.ceil(a.min_time / max(fastest, 1e-9))))
        samples = {t: [] for t in threads}
        for r in range(a.repeats):
            for j in range(len(threads)):
                t = threads[(j + r) % len(threads)]
                torch.set_num_threads(t)
                op(*inputs)  # one untimed run after a thread-count change
                sync()
                s = time.perf_counter()
                for _ in range(runs[t]):
                    op(*inputs)
                sync()
                samples[t].append((time.perf_counter() - s) * 1e3 / runs[t])
        for t in threads:
            med = statistics.median(samples[t])
            entry["results"].append({
                "threads": t, "status": "ok", "median_ms": med, "min_ms": min(samples[t]), "runs_per_sample": runs[t],
                "samples_ms": samples[t], "gb_per_s": (entry["input_bytes"] + entry["output_bytes"]) / (med * 1e6),
            })
        print(f"\n{name}  {label}")
        for res in entry["results"]:
            print(f"  torch {a.device} {res['threads']:>3} threads  median {res['median_ms']:10.4f} ms  min {res['min_ms']:10.4f} ms  {res['gb_per_s']:7.2f} GB/s")
    doc = {
        "tool": "torch_bench", "date": start, "torch": torch.__version__, "device": a.device,
        "cuda_device": torch.cuda.get_device_name(0) if a.device == "cuda" else None,
        "torchvision": getattr(torchvision, "__version__", None),
        "machine": {"cpu": cpu_model(), "processor_count": os.cpu_count(), "os": platform.platform(),
                    "python": platform.python_version(), "load_average": load_average(),
                    "torch_parallel_info": torch.__config__.parallel_info().splitlines()[:6]},
        "settings": {"threads": threads, "repeats": a.repeats, "min_time_s": a.min_time, "warmup_s": a.warmup},
        "workloads": out,
    }
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"torch_bench: wrote {a.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
