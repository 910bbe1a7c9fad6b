#!/usr/bin/python3
"""PyTorch backend for PoolingConformance: the worked example of an `exec:` backend.

    /usr/bin/python3 adapters/python/torch_backend.py SUITE_DIR RESULTS_DIR
    poolconf run --suite SUITE_DIR --backend "exec:/usr/bin/python3 adapters/python/torch_backend.py" --out RESULTS_DIR

It reads SUITE_DIR/manifest.json ("poolconf-suite/1", see CONTRACT.md sections 2-4), runs every
`torch.*` / `torchvision.*` case through the framework and writes RESULTS_DIR/<case id>/<output>.npy
plus RESULTS_DIR/run.json. `poolconf verify --suite SUITE_DIR --results RESULTS_DIR` then judges them.

Plugging in your own kernel: copy this file and change only the dispatch table `OPS` at the bottom of
the op section. Each entry maps a manifest `op` to a function `(inputs, params) -> result`, where
`inputs` is a dict of torch tensors named as in the manifest (`input`, `samples`, `indices`, `boxes`)
and `params` is the case's `params` with PyTorch's own names (lists already turned into tuples, JSON
null into None; omitted parameters take PyTorch's defaults). Return one tensor (the output `output`)
or a tuple `(output, indices)`; indices are int64, flat per (n, c) plane. Wrap your kernel (numpy,
ctypes, a C extension...) so that it takes and returns tensors, or replace `_to_tensor`/`_to_numpy`.
Raise any exception for a case your kernel cannot run: it is reported on stderr as
`case <id>: <reason>`, nothing is written for that case, and `verify` counts it as missing. Cases of
other dialects (onnx.*, tf.*, ...) are listed in run.json's `skipped` map (case id -> reason), which `verify`
reports as skipped rather than missing; change `DIALECTS` to claim them, and list in
`UPCAST_HALF` the ops whose float16 cases your kernel runs in float32. Rename `BACKEND` and
`backend_version()`: `verify` matches its known-divergence list on run.json's `backend`, so a foreign
kernel must not call itself "torch".
"""
import datetime
import json
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

try:
    import torchvision
    import torchvision.ops as tvops
except Exception:  # torchvision is optional: its cases then fail ("torchvision is not importable")
    torchvision = tvops = None

BACKEND = "torch"
FORMAT = "poolconf-suite/1"
DIALECTS = ("torch.", "torchvision.")
ID_RE = re.compile(r"[A-Za-z0-9._/-]{1,200}\Z")
NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,100}\Z")


def backend_version():
    tv = f"; torchvision {torchvision.__version__} native float16" if torchvision else ""
    return f"torch {torch.__version__} (cpu; float16 via float32{tv})"


# ---------------------------------------------------------------------------------------------
# The ops: one small function each, (inputs, params) -> tensor or (output, indices).

def _plain(fn):
    """fn(input, **params): pooling, adaptive pooling."""
    return lambda x, p: fn(_need(x, "input"), **p)


def _lp_pool1d(x, p):
    # PyTorch 1.13 lp_pool1d multiplies by kernel_size itself, so it takes only an int: `[3]` -> 3.
    k = p.get("kernel_size")
    if isinstance(k, tuple) and len(k) == 1:
        p = dict(p, kernel_size=k[0])
    return F.lp_pool1d(_need(x, "input"), **p)


def _lp_pool3d(x, p):
    # Not in PyTorch 1.13: PyTorch 2.2's definition, term for term.
    def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
        kd, kh, kw = torch.nn.modules.utils._triple(kernel_size)
        if stride is not None:
            out = F.avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
        else:
            out = F.avg_pool3d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
        return (torch.sign(out) * F.relu(torch.abs(out))).mul(kd * kh * kw).pow(1.0 / norm_type)
    return lp_pool3d(_need(x, "input"), **p)


def _fractional(fn):
    """The random samples arrive as the input `samples`; never let PyTorch draw its own."""
    return lambda x, p: fn(_need(x, "input"), _random_samples=_need(x, "samples"), **p)


def _unpool(fn):
    return lambda x, p: fn(_need(x, "input"), _need(x, "indices"), **p)


def _roi(name):
    def run(x, p):
        if tvops is None:
            raise RuntimeError("torchvision is not importable")
        if name == "ps_roi_align" and p.get("aligned", True) is True:
            p = {k: v for k, v in p.items() if k != "aligned"}  # it always behaves as aligned=True
        return getattr(tvops, name)(_need(x, "input"), _need(x, "boxes"), **p)
    return run


def _multiscale(x, p):
    """MultiScaleRoIAlign over maps x0, x1, ... with K×5 boxes; results returned in the boxes' row order."""
    if tvops is None:
        raise RuntimeError("torchvision is not importable")
    names = [f"x{i}" for i in range(5) if f"x{i}" in x]
    feats = {n: x[n] for n in names}
    boxes = _need(x, "boxes")
    shapes = [tuple(int(v) for v in row) for row in _need(x, "image_shapes").tolist()]
    batch = boxes[:, 0].long()
    per_image = [boxes[batch == b, 1:] for b in range(len(shapes))]
    order = torch.cat([torch.nonzero(batch == b).flatten() for b in range(len(shapes))])
    pooler = tvops.MultiScaleRoIAlign(names, p["output_size"], p["sampling_ratio"],
                                      canonical_scale=p.get("canonical_scale", 224),
                                      canonical_level=p.get("canonical_level", 4))
    out = pooler(feats, per_image, shapes)
    result = torch.empty_like(out)
    result[order] = out  # the pooler concatenates per image; restore the manifest's row order
    return result


OPS = {
    "torchvision.multiscale_roi_align": _multiscale,
    "torch.max_pool1d": _plain(F.max_pool1d),
    "torch.max_pool2d": _plain(F.max_pool2d),
    "torch.max_pool3d": _plain(F.max_pool3d),
    "torch.avg_pool1d": _plain(F.avg_pool1d),
    "torch.avg_pool2d": _plain(F.avg_pool2d),
    "torch.avg_pool3d": _plain(F.avg_pool3d),
    "torch.lp_pool1d": _lp_pool1d,
    "torch.lp_pool2d": _plain(F.lp_pool2d),
    "torch.lp_pool3d": _lp_pool3d,
    "torch.adaptive_max_pool1d": _plain(F.adaptive_max_pool1d),
    "torch.adaptive_max_pool2d": _plain(F.adaptive_max_pool2d),
    "torch.adaptive_max_pool3d": _plain(F.adaptive_max_pool3d),
    "torch.adaptive_avg_pool1d": _plain(F.adaptive_avg_pool1d),
    "torch.adaptive_avg_pool2d": _plain(F.adaptive_avg_pool2d),
    "torch.adaptive_avg_pool3d": _plain(F.adaptive_avg_pool3d),
    "torch.fractional_max_pool2d": _fractional(F.fractional_max_pool2d),
    "torch.fractional_max_pool3d": _fractional(F.fractional_max_pool3d),
    "torch.max_unpool1d": _unpool(F.max_unpool1d),
    "torch.max_unpool2d": _unpool(F.max_unpool2d),
    "torch.max_unpool3d": _unpool(F.max_unpool3d),
    "torchvision.roi_pool": _roi("roi_pool"),
    "torchvision.roi_align": _roi("roi_align"),
    "torchvision.ps_roi_pool": _roi("ps_roi_pool"),
    "torchvision.ps_roi_align": _roi("ps_roi_align"),
}

# float16: PyTorch 1.13's CPU pooling kernels have no Half version ("max_pool2d" not implemented for
# 'Half'), so torch.* cases with a float16 `input` run in float32 and `output` is rounded back to
# float16. torchvision 0.14's ROI kernels do have CPU Half kernels (boxes are scaled and rounded in
# their own dtype, which changes results), so they run natively. float64 stays float64; int64 is
# passed as is (avg_pool truncates; max_pool raises).
UPCAST_HALF = tuple(op for op in OPS if op.startswith("torch."))


# ---------------------------------------------------------------------------------------------
# Plumbing: manifest, .npy in and out, errors.

class CaseError(Exception):
    pass


def _need(inputs, name):
    if name not in inputs:
        raise CaseError(f"missing input '{name}'")
    return inputs[name]


def _tuples(v):
    """JSON lists -> tuples (recursively); JSON null is already None."""
    if isinstance(v, list):
        return tuple(_tuples(e) for e in v)
    if isinstance(v, dict):
        return {k: _tuples(e) for k, e in v.items()}
    return v


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _to_tensor(suite, name, rel):
    if not isinstance(rel, str) or os.path.isabs(rel):
        raise CaseError(f"inputs.{name}: path must be relative to the suite")
    path = os.path.realpath(os.path.join(suite, rel))
    if not _inside(path, suite):
        raise CaseError(f"inputs.{name}: path {rel} escapes the suite folder")
    a = np.load(path, allow_pickle=False)
    if not isinstance(a, np.ndarray):
        raise CaseError(f"inputs.{name}: {rel} is not a single .npy array")
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return torch.from_numpy(np.ascontiguousarray(a))


def _to_numpy(t):
    a = t.detach().cpu().contiguous().numpy()
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))


def run_case(suite, case):
    """Compute every output the case lists; returns {name: ndarray}. Writes nothing."""
    op = case["op"]
    fn = OPS.get(op)
    if fn is None:
        raise CaseError(f"op {op} is not supported by this backend")
    params = _tuples(case.get("params") or {})
    if not isinstance(params, dict):
        raise CaseError("params must be an object")
    raw = case.get("inputs") or {}
    if not isinstance(raw, dict):
        raise CaseError("inputs must be an object")
    inputs = {name: _to_tensor(suite, name, rel) for name, rel in raw.items()}
    in_dtype = (inputs.get("input") if "input" in inputs else _need(inputs, "x0")).dtype
    upcast = in_dtype == torch.float16 and op in UPCAST_HALF
    if upcast:
        inputs = {k: (v.float() if v.dtype == torch.float16 else v) for k, v in inputs.items()}
    with torch.no_grad():
        result = fn(inputs, params)
    produced = {"output": result[0], "indices": result[1]} if isinstance(result, tuple) else {"output": result}
    if upcast:
        produced["output"] = produced["output"].to(in_dtype)
    arrays = {}
    for name in case.get("outputs") or ["output"]:
        if not isinstance(name, str) or not NAME_RE.match(name) or name in (".", ".."):
            raise CaseError(f"outputs: bad output name {name!r}")
        if name not in produced:
            raise CaseError(f"outputs: {op} with these params gives no '{name}' (return_indices?)")
        arrays[name] = _to_numpy(produced[name])
    return arrays


def _check_id(cid):
    if not isinstance(cid, str) or not ID_RE.match(cid) or cid.startswith("/") or cid.endswith("/") \
            or any(seg in ("", ".", "..") for seg in cid.split("/")):
        raise CaseError("refused id: 1-200 characters of [A-Za-z0-9._/-], no empty, '.' or '..' segment, "
                        "no leading or trailing '/'")


def _write(results, cid, arrays):
    folder = os.path.join(results, *cid.split("/"))
    os.makedirs(folder, exist_ok=True)
    targets = {name: os.path.join(folder, name + ".npy") for name in arrays}
    for path in [folder, *targets.values()]:  # no symbolic link may lead a write outside RESULTS_DIR
        if not _inside(os.path.realpath(path), results):
            raise CaseError(f"{os.path.relpath(path, results)} resolves outside RESULTS_DIR")
    for name, a in arrays.items():
        np.save(targets[name], a, allow_pickle=False)


def _one_line(e):
    msg = " ".join(str(e).split()) or type(e).__name__
    return msg if isinstance(e, CaseError) else f"{type(e).__name__}: {msg}"


def _refuse(msg):
    print(f"torch backend: {msg}", file=sys.stderr)
    return 2


def main(argv):
    if len(argv) != 3:
        return _refuse("usage: torch_backend.py SUITE_DIR RESULTS_DIR")
    suite, results = os.path.realpath(argv[1]), os.path.realpath(argv[2])
    manifest_path = os.path.join(suite, "manifest.json")
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError, RecursionError) as e:
        return _refuse(f"{manifest_path}: unreadable manifest: {_one_line(e)}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("cases"), list):
        return _refuse(f"{manifest_path}: field 'format' must be \"{FORMAT}\" and 'cases' a list")
    if _inside(results, suite):
        return _refuse(f"{argv[2]}: RESULTS_DIR must not be the suite folder or inside it")
    if os.path.exists(results) and not os.path.isdir(results):
        return _refuse(f"{argv[2]}: RESULTS_DIR is not a folder")

    torch.set_num_threads(1)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.makedirs(results, exist_ok=True)
    ran = failed = skipped = 0
    seen = set()
    not_served = {}
    for case in manifest["cases"]:
        op = case.get("op") if isinstance(case, dict) else None
        if not isinstance(op, str) or not op.startswith(DIALECTS):
            skipped += 1
            if isinstance(case, dict) and isinstance(case.get("id"), str):
                not_served[case["id"]] = f"{BACKEND} backend does not serve {op}"
            continue
        cid = case.get("id")
        try:
            _check_id(cid)
            if cid in seen:
                raise CaseError("duplicate id")
            seen.add(cid)
            _write(results, cid, run_case(suite, case))
            ran += 1
        except Exception as e:  # one case's failure never stops the run
            print(f"case {cid if isinstance(cid, str) else repr(cid)}: {_one_line(e)}", file=sys.stderr)
            failed += 1

    generator = manifest.get("generator")
    name = generator.get("suite") if isinstance(generator, dict) else None
    run_info = {"backend": BACKEND, "backend_version": backend_version(),
                "suite": name if isinstance(name, str) else os.path.basename(suite), "date": date,
                "skipped": not_served}
    with open(os.path.join(results, "run.json"), "w", encoding="utf-8") as f:
        json.dump(run_info, f, indent=2)
        f.write("\n")
    print(f"torch backend: {ran} ran, {failed} failed, {skipped} skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
