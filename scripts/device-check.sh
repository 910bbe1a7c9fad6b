#!/usr/bin/env bash
# GPU device check for poolconf (issue 8). Two phases:
#
#   scripts/device-check.sh prepare
#       On the dev machine (with the .NET SDK): self-contained linux-x64 publish of poolconf into .devpub/poolconf, minus what
#       the GPU check does not load (ONNX Runtime's native library, the debugger libraries), packed as ONE tarball
#       .devpub/poolconf-linux-x64.tar.gz (must stay under 45 MB; its size is printed). The publish is smoke-tested here.
#
#   scripts/device-check.sh run OUTDIR
#       On the GPU machine (x86-64, NVIDIA driver, no .NET SDK, no network): unpacks the tarball (POOLCONF_TARBALL overrides
#       the path), makes an unversioned libcuda.so findable, prints nvidia-smi, lists the devices ILGPU sees, then — each step
#       under `timeout`, every failure recorded, the script going on — runs the smoke and the standard suites through
#       `--backend gpu` and verifies them (OUTDIR/verify-smoke.json, OUTDIR/verify.json), times the GPU kernels on W1-W8
#       (`poolconf gpu-bench`, GB/s against the H200's ~4800 GB/s) and, when the build has it, `poolconf bench --backends
#       gpu,optimized`. Without a CUDA device it says so and runs the smoke suite with `--backend gpu:cpu` instead, so every
#       part of the script is exercised. Writes ONE summary, OUTDIR/device-check.json, and a full log, OUTDIR/device-check.log.
#       Whole run under 5 minutes (POOLCONF_CHECK_BUDGET seconds, default 280). Exit 0 when the GPU suites ran and every served
#       case passed, 1 otherwise (the summary says which step failed and why).
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pub_dir="$here/.devpub"
tarball_default="$pub_dir/poolconf-linux-x64.tar.gz"
limit_mb=45

prepare() {
  set -e
  command -v dotnet >/dev/null || { echo "device-check prepare: the .NET SDK (dotnet) is required here" >&2; exit 2; }
  rm -rf "$pub_dir/poolconf" "$tarball_default"
  mkdir -p "$pub_dir"
  echo "== dotnet publish src/Cli -c Release -r linux-x64 --self-contained -> $pub_dir/poolconf"
  dotnet publish "$here/src/Cli" -c Release -r linux-x64 --self-contained -o "$pub_dir/poolconf" -v quiet -nologo
  # Not needed by the GPU check and big: ONNX Runtime's native library (loaded only by --backend onnxruntime and onnx-test,
  # ~29 MB), the debugger/diagnostics libraries, symbol files.
  rm -f "$pub_dir/poolconf"/libonnxruntime*.so "$pub_dir/poolconf"/libmscordaccore.so "$pub_dir/poolconf"/libmscordbi.so \
        "$pub_dir/poolconf"/createdump "$pub_dir/poolconf"/*.pdb
  echo "== smoke test of the publish (gpu-info, gpu:cpu on the smoke suite, verify)"
  local t; t=$(mktemp -d)
  "$pub_dir/poolconf/poolconf" gpu-info || true
  "$pub_dir/poolconf/poolconf" generate --suite smoke --out "$t/smoke" >/dev/null 2>&1
  "$pub_dir/poolconf/poolconf" run --suite "$t/smoke" --backend gpu:cpu --out "$t/res" 2>/dev/null
  "$pub_dir/poolconf/poolconf" verify --suite "$t/smoke" --results "$t/res" --quiet 2>/dev/null | tail -1
  rm -rf "$t"
  tar -czf "$tarball_default" -C "$pub_dir" poolconf
  local bytes; bytes=$(stat -c %s "$tarball_default")
  echo "== $tarball_default: $bytes bytes ($((bytes / 1048576)) MiB; limit ${limit_mb} MB)"
  if [ "$bytes" -ge $((limit_mb * 1000 * 1000)) ]; then echo "device-check prepare: tarball over ${limit_mb} MB" >&2; exit 1; fi
  echo "== on the GPU machine: scripts/device-check.sh run OUTDIR   (carry .devpub/poolconf-linux-x64.tar.gz)"
}

# ------------------------------------------------------------------------------------------------------------- run phase

json_escape() { # stdin -> a JSON string literal
  local s; s=$(cat)
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\t'/\\t}; s=${s//$'\r'/}; s=${s//$'\n'/\\n}
  s=$(printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037')
  printf '"%s"' "$s"
}

run_phase() {
  local out="$1"
  mkdir -p "$out" || { echo "device-check: cannot create $out" >&2; exit 2; }
  out=$(cd "$out" && pwd)
  local log="$out/device-check.log"
  : > "$log"
  local budget=${POOLCONF_CHECK_BUDGET:-280}
  local start=$SECONDS
  local steps=() notes=()
  local failed_steps=0

  say() { echo "$*" | tee -a "$log"; }
  note() { notes+=("$*"); say "NOTE: $*"; }
  remaining() { echo $(( budget - (SECONDS - start) )); }

  # step NAME LIMIT_SECONDS CMD... : runs under timeout (capped by the remaining budget), output to the log and OUTDIR/NAME.out;
  # records name, exit status and seconds. Never aborts the script.
  local have_timeout=1; command -v timeout >/dev/null || have_timeout=0
  step() {
    local name=$1 lim=$2; shift 2
    local rem; rem=$(remaining)
    if [ "$rem" -lt 5 ]; then
      say "== $name: SKIPPED (time budget of ${budget}s spent)"
      steps+=("{\"step\":\"$name\",\"status\":\"skipped\",\"reason\":\"time budget spent\"}")
      LAST_RC=125; return 125
    fi
    [ "$lim" -gt "$rem" ] && lim=$rem
    say "== $name (limit ${lim}s): $*"
    local t0=$SECONDS rc
    if [ $have_timeout -eq 1 ]; then timeout -k 5 "$lim" "$@" > "$out/$name.out" 2>&1; rc=$?
    else "$@" > "$out/$name.out" 2>&1; rc=$?; fi
    local dt=$((SECONDS - t0))
    cat "$out/$name.out" >> "$log"
    tail -n 15 "$out/$name.out"
    local status=ok
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status=timeout; elif [ $rc -ne 0 ]; then status=failed; fi
    [ "$status" != ok ] && say "== $name: $status (exit $rc after ${dt}s)"
    local tailtxt; tailtxt=$(tail -n 5 "$out/$name.out" | json_escape)
    steps+=("{\"step\":\"$name\",\"status\":\"$status\",\"exit\":$rc,\"seconds\":$dt,\"tail\":$tailtxt}")
    LAST_RC=$rc
    return $rc
  }

  # verify counts from the last line "N passed, N failed[, N skipped]"
  counts() {
    local f="$out/$1.out" line p fl sk
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$f" 2>/dev/null | tail -1)
    p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line"); fl=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
    sk=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
    if [ -z "$line" ]; then echo "null"; else echo "{\"passed\":${p:-0},\"failed\":${fl:-0},\"skipped\":${sk:-0},\"line\":$(printf '%s' "$line" | json_escape)}"; fi
  }

  say "device-check run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm), $(nproc 2>/dev/null || echo '?') cores, budget ${budget}s, output $out"

  # 1. unpack
  local tarball=${POOLCONF_TARBALL:-$tarball_default}
  local work; work=$(mktemp -d "${TMPDIR:-/tmp}/poolconf-check.XXXXXX")
  local P="$work/poolconf/poolconf"
  if [ ! -f "$tarball" ]; then
    note "tarball $tarball not found (run 'scripts/device-check.sh prepare' on the dev machine and carry .devpub/poolconf-linux-x64.tar.gz)"
  else
    step unpack 60 tar -xzf "$tarball" -C "$work"
  fi
  if [ ! -x "$P" ]; then
    note "no poolconf executable at $P; nothing else can run"
  else
    ldd "$work/poolconf/libcoreclr.so" 2>&1 | grep -i "not found" >> "$log" && note "libcoreclr.so has missing libraries (see log)"
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_gcServer=0

  # 2. an unversioned libcuda.so on the loader path (ILGPU P/Invokes "cuda"; drivers often ship only libcuda.so.1)
  local libcuda="" cudadir="$work/cudalib"
  mkdir -p "$cudadir"
  local cands=()
  if command -v ldconfig >/dev/null; then
    while read -r p; do [ -n "$p" ] && cands+=("$p"); done < <(ldconfig -p 2>/dev/null | awk '/libcuda\.so/ {print $NF}')
  fi
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/wsl/lib \
           /usr/local/cuda/compat /usr/local/cuda/lib64 /run/nvidia/driver/usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/nvidia/current; do
    for f in "$d"/libcuda.so "$d"/libcuda.so.1 "$d"/libcuda.so.[0-9]*; do [ -e "$f" ] && cands+=("$f"); done
  done
  for f in "${cands[@]}"; do
    case "$f" in *stubs*) continue ;; esac   # the toolkit's stub libcuda only fails at run time
    [ -e "$f" ] || continue
    libcuda=$(readlink -f "$f"); break
  done
  if [ -n "$libcuda" ]; then
    ln -sf "$libcuda" "$cudadir/libcuda.so"; ln -sf "$libcuda" "$cudadir/libcuda.so.1"
    export LD_LIBRARY_PATH="$cudadir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    say "libcuda: $libcuda (symlinked as $cudadir/libcuda.so, on LD_LIBRARY_PATH)"
  else
    note "no libcuda.so* found (searched ldconfig and ${#cands[@]} candidates); the gpu backend will report no CUDA device"
  fi

  # 3. nvidia-smi
  local gpu_name="" driver="" gpu_mem=""
  if command -v nvidia-smi >/dev/null; then
    step nvidia-smi 20 nvidia-smi
    local q; q=$(timeout 15 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
    gpu_name=$(cut -d, -f1 <<<"$q" | sed 's/^ *//;s/ *$//'); driver=$(cut -d, -f2 <<<"$q" | sed 's/^ *//;s/ *$//'); gpu_mem=$(cut -d, -f3 <<<"$q" | sed 's/^ *//;s/ *$//')
  else
    note "nvidia-smi not found"
  fi

  # 4. the devices ILGPU sees; retry with an explicit PTX ISA when ILGPU does not know this driver
  local cuda_ok=0 ilgpu_line=""
  if [ -x "$P" ]; then
    step gpu-info 60 "$P" gpu-info && cuda_ok=1
    if [ $cuda_ok -eq 0 ] && [ -n "$libcuda" ] && grep -qiE "instruction set|not supported|architecture|NotSupported" "$out/gpu-info.out"; then
      note "ILGPU refused the driver/architecture; retrying with POOLCONF_CUDA_ISA=ISA_80"
      export POOLCONF_CUDA_ISA=ISA_80
      step gpu-info-isa80 60 "$P" gpu-info && cuda_ok=1 || unset POOLCONF_CUDA_ISA
    fi
    ilgpu_line=$(grep -m1 -E '^\s+Cuda:' "$out"/gpu-info*.out 2>/dev/null | sed 's/^ *//')
    [ $cuda_ok -eq 0 ] && note "no CUDA device for ILGPU: the gpu backend cannot run here; exercising the script with --backend gpu:cpu on the smoke suite"
  fi

  local smoke=null standard=null smoke_cpu=null backend=gpu
  # POOLCONF_CHECK_SIMULATE=1 (testing this script on a machine without a GPU): take the CUDA branch with --backend gpu:cpu.
  local gb_extra=(--min-ms 200)
  if [ "${POOLCONF_CHECK_SIMULATE:-0}" = 1 ]; then
    note "POOLCONF_CHECK_SIMULATE=1: the CUDA branch runs with --backend gpu:cpu (a test of this script, not a GPU run)"
    cuda_ok=1; backend=gpu:cpu; gb_extra=(--cpu --workloads W4,W8 --min-ms 1)
  fi
  if [ -x "$P" ]; then
    # 5. smoke suite (quick signal first), then the standard suite
    step generate-smoke 60 "$P" generate --suite smoke --out "$work/smoke"
    if [ $cuda_ok -eq 1 ]; then
      step run-smoke-gpu 90 "$P" run --suite "$work/smoke" --backend "$backend" --out "$work/res-smoke"
      [ $LAST_RC -eq 2 ] && note "run --backend gpu exited 2 on the smoke suite (no usable device?)"
      step verify-smoke 60 "$P" verify --suite "$work/smoke" --results "$work/res-smoke" --report "$out/verify-smoke.json" --quiet
      smoke=$(counts verify-smoke)
      step generate-standard 90 "$P" generate --suite standard --out "$work/standard"
      step run-standard-gpu 150 "$P" run --suite "$work/standard" --backend "$backend" --out "$work/res-standard"
      cp "$work/res-standard/run.json" "$out/run-standard.json" 2>/dev/null
      step verify-standard 120 "$P" verify --suite "$work/standard" --results "$work/res-standard" --report "$out/verify.json" --quiet
      standard=$(counts verify-standard)
    else
      backend=gpu:cpu
      step run-smoke-gpu 30 "$P" run --suite "$work/smoke" --backend gpu --out "$work/res-smoke-nodevice"
      [ $LAST_RC -eq 2 ] && say "as expected without a CUDA device: --backend gpu exits 2"
      step run-smoke-gpucpu 120 "$P" run --suite "$work/smoke" --backend gpu:cpu --out "$work/res-smoke-cpu"
      step verify-smoke-gpucpu 60 "$P" verify --suite "$work/smoke" --results "$work/res-smoke-cpu" --report "$out/verify-smoke.json" --quiet
      smoke_cpu=$(counts verify-smoke-gpucpu)
    fi

    # 6. the GPU kernels alone on W1-W8 (GB/s against the H200's ~4800 GB/s HBM3e)
    if [ $cuda_ok -eq 1 ]; then
      step gpu-bench 120 "$P" gpu-bench --peak-gbs 4800 "${gb_extra[@]}" --json "$out/gpu-bench.json"
    else
      step gpu-bench-cpu 60 "$P" gpu-bench --cpu --workloads W4 --min-ms 1 --json "$out/gpu-bench.json"
    fi

    # 7. poolconf bench (GPU beside the optimized CPU kernels), when this build has the command
    # Probe with an option no command has: "unknown command 'bench'" means the build lacks it.
    timeout 20 "$P" bench --device-check-probe > "$out/bench-probe.out" 2>&1
    if ! grep -q "unknown command 'bench'" "$out/bench-probe.out"; then
      if [ $cuda_ok -eq 1 ]; then
        step bench 150 "$P" bench --backends gpu,optimized --threads "1,$(nproc 2>/dev/null || echo 1)" --workloads W1,W2,W3,W4,W5-NCHW,W5-NHWC,W6,W7,W8 --json "$out/bench.json"
      else
        step bench-cpu 60 "$P" bench --backends optimized --workloads W4 --json "$out/bench.json"
      fi
    else
      note "this build has no 'poolconf bench' command ($(head -c 200 "$out/bench-probe.out" | tr '\n' ' ')); bench step skipped (gpu-bench above has the GPU figures)"
    fi
  fi

  # 7b. PyTorch on the same GPU as a peer (the device image's python3 holds a CUDA build of torch and torchvision)
  local torch_bench; torch_bench="$(cd "$(dirname "$0")/.." && pwd)/adapters/python/torch_bench.py"
  if [ $cuda_ok -eq 1 ] && command -v python3 >/dev/null && [ -f "$torch_bench" ]; then
    step torch-cuda 90 python3 "$torch_bench" --device cuda --repeats 7 --min-time 0.02 --json "$out/torch-cuda.json"
  else
    note "PyTorch CUDA peer skipped (no CUDA device, no python3, or no $torch_bench)"
  fi

  # 8. summary
  for s in "${steps[@]}"; do case "$s" in *'"status":"ok"'*) ;; *'"step":"run-smoke-gpu"'*) [ $cuda_ok -eq 0 ] || failed_steps=$((failed_steps + 1)) ;; *) failed_steps=$((failed_steps + 1)) ;; esac; done
  local gb=null bj=null
  [ -s "$out/gpu-bench.json" ] && gb=$(cat "$out/gpu-bench.json")
  [ -s "$out/bench.json" ] && bj=$(cat "$out/bench.json")
  local tj=null
  [ -s "$out/torch-cuda.json" ] && tj=$(cat "$out/torch-cuda.json")
  local steps_json notes_json
  steps_json=$(IFS=,; echo "${steps[*]}")
  notes_json=""
  for n in "${notes[@]}"; do notes_json+="${notes_json:+,}$(printf '%s' "$n" | json_escape)"; done
  {
    echo "{"
    echo "  \"tool\": \"scripts/device-check.sh\","
    echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
    echo "  \"host\": $(printf '%s' "$(uname -srm), $(nproc 2>/dev/null) cores" | json_escape),"
    echo "  \"device\": $(printf '%s' "${gpu_name:-none}" | json_escape),"
    echo "  \"driver\": $(printf '%s' "${driver:-unknown}" | json_escape),"
    echo "  \"gpu_memory\": $(printf '%s' "${gpu_mem:-unknown}" | json_escape),"
    echo "  \"ilgpu_device\": $(printf '%s' "${ilgpu_line:-none}" | json_escape),"
    echo "  \"libcuda\": $(printf '%s' "${libcuda:-not found}" | json_escape),"
    echo "  \"cuda_ptx_isa_override\": $(printf '%s' "${POOLCONF_CUDA_ISA:-none}" | json_escape),"
    echo "  \"cuda_device_found\": $([ $cuda_ok -eq 1 ] && echo true || echo false),"
    echo "  \"backend\": \"$backend\","
    echo "  \"standard\": $standard,"
    echo "  \"smoke\": $smoke,"
    echo "  \"smoke_gpu_cpu\": $smoke_cpu,"
    echo "  \"peak_gb_per_s\": 4800,"
    echo "  \"gpu_bench\": $gb,"
    echo "  \"bench\": $bj,"
    echo "  \"torch_cuda\": $tj,"
    echo "  \"failed_steps\": $failed_steps,"
    echo "  \"seconds\": $((SECONDS - start)),"
    echo "  \"steps\": [$steps_json],"
    echo "  \"notes\": [$notes_json]"
    echo "}"
  } > "$out/device-check.json"
  say "== summary: $out/device-check.json (${SECONDS}s; failed steps: $failed_steps)"
  say "   device: ${gpu_name:-none}  driver: ${driver:-?}  ILGPU: ${ilgpu_line:-none}"
  say "   standard: $standard"
  say "   smoke: $smoke  smoke gpu:cpu: $smoke_cpu"
  [ -s "$out/gpu-bench.out" ] && sed -n '1,12p' "$out/gpu-bench.out" | tee -a "$log"
  rm -rf "$work"
  local bad=0
  [ $cuda_ok -eq 1 ] || bad=1
  [ "${POOLCONF_CHECK_SIMULATE:-0}" = 1 ] && bad=0
  [ $failed_steps -eq 0 ] || bad=1
  grep -q '"failed":0' <<<"$standard" || bad=1
  exit $bad
}

case "${1:-}" in
  prepare) prepare ;;
  run) [ $# -eq 2 ] || { echo "usage: $0 run OUTDIR" >&2; exit 2; }; run_phase "$2" ;;
  *) echo "usage: $0 prepare | run OUTDIR" >&2; exit 2 ;;
esac
