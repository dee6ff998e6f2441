#!/usr/bin/env bash
# CNN surrogate inference against our own direct solve of the same fields, side by side in one
# process (`tissue-bench surrogate`, bench/Sources/tissue-bench/SurrogateBench.swift):
#   * direct, factorise + solve per sample: assemble, UMFPACK symbolic + numeric factorisation, solve;
#   * direct, amortised: one factorisation reused, one solve per sample (how data generation runs);
#   * CNN inference per sample, batched (BATCH images per forward pass), float32.
# Reference problem: 100², D = 1, γ = 1/400, R = 5, two disks. Source maps are built before timing.
#
#   bench/surrogate.sh                                   # the shipped model if present, else the same
#                                                        # architecture with random weights (same cost)
#   MODEL=results/surrogate/model.h5 THREADS=1 ROUNDS=3 bench/surrogate.sh
#
# Environment: MODEL (models/surrogate-diffusion-decay-100.h5 if it exists), SAMPLES (64), BATCH (8),
# REPEATS (3, best of), ROUNDS (3 processes), THREADS (1 OpenBLAS thread for both sides).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SAMPLES=${SAMPLES:-64}
BATCH=${BATCH:-8}   # per-sample time grows with the batch here (im2col buffers leave the cache): 1 < 8 < 32
REPEATS=${REPEATS:-3}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}
MODEL=${MODEL:-models/surrogate-diffusion-decay-100.h5}
echo "== swift build -c release --product tissue-bench" >&2
swift build -c release --product tissue-bench >&2
BIN=$(swift build -c release --show-bin-path)/tissue-bench
ARGS=(--samples "$SAMPLES" --batch "$BATCH" --repeats "$REPEATS" --threads "$THREADS")
[ -f "$MODEL" ] && ARGS+=(--model "$MODEL") || echo "note: no $MODEL; timing the default architecture with random weights" >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do
    OPENBLAS_NUM_THREADS=$THREADS "$BIN" surrogate "${ARGS[@]}" | tee -a "$OUT" >&2
done
python3 - "$OUT" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
best = lambda k: min(r[k] for r in runs)
f, a, c = best("direct_factor_solve_seconds"), best("direct_amortised_solve_seconds"), best("cnn_inference_seconds")
r = runs[0]
print(f"lattice {r['lattice']}^2, {r['network']} ({r['parameters']} parameters), batch {r['batch']}, "
      f"best of {len(runs)} processes x {r['repeats']} repeats, {r['samples']} samples")
print(f"  direct solve, factorise + solve per sample : {f * 1e3:8.2f} ms/sample")
print(f"  direct solve, amortised (reused factor)    : {a * 1e3:8.2f} ms/sample")
print(f"  CNN inference, batched                     : {c * 1e3:8.2f} ms/sample")
print(f"  speed-up vs factorise + solve: {f / c:6.2f}x;  vs amortised solve: {a / c:6.2f}x")
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
