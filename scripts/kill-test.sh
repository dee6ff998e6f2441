#!/usr/bin/env bash
# Kill test (issue #8): start long runs, SIGKILL them at random moments, and check after every kill
# that each output path is either absent or a complete, readable HDF5 file, and that `--resume`
# finally produces exactly the datasets of an uninterrupted run (bit for bit, via h5dump %.17g).
#
#   scripts/kill-test.sh [KILLS_PER_KIND=17] [SEED=1]
#
# Kinds: a DNS unit-cell campaign, a network training, a transient upscaled run (3 × 17 = 51 kills
# by default). Needs the release binary (built if missing) and h5ls/h5dump (apt: hdf5-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-17}
RANDOM=${2:-1}
TISSUE=${TISSUE:-.build/release/tissue}
[ -x "$TISSUE" ] || swift build -c release --product tissue
W=$(mktemp -d /tmp/tissue-kill.XXXXXX)
trap 'rm -rf "$W"' EXIT
export OPENBLAS_NUM_THREADS=1
total_kills=0
log() { echo "[kill-test] $*" >&2; }
fail() { echo "[kill-test] FAIL: $*" >&2; exit 1; }

# Every path given is absent or a complete HDF5 file.
check_files() {
  local f
  for f in "$@"; do
    [ -e "$f" ] || continue
    h5ls -r "$f" >/dev/null 2>&1 || fail "$f is not a readable HDF5 file after a kill"
  done
}

# Same datasets, bit for bit.
same_datasets() {
  local a=$1 b=$2; shift 2
  local d
  for d in "$@"; do
    cmp -s <(h5dump -d "$d" -m '%.17g' "$a" | tail -n +2) <(h5dump -d "$d" -m '%.17g' "$b" | tail -n +2) \
      || fail "$d differs between $a and $b"
  done
}

# timed CMD...: runs the uninterrupted reference run and sets DELAY_MS from its duration.
timed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  DELAY_MS=$(( (end - start) / 1000000 / (KILLS + 2) ))
  [ "$DELAY_MS" -ge 20 ] || DELAY_MS=20
}

# run_with_kills NAME OUTPUT PART CMD...: runs CMD (which must take --resume as its first extra
# argument when resuming) until it finishes, SIGKILLing it KILLS times at random moments after each
# start (see DELAY_MS). PART is the progress/checkpoint file.
run_with_kills() {
  local name=$1 out=$2 part=$3; shift 3
  local kills=0 resume=() status
  while :; do
    "$@" "${resume[@]}" >/dev/null 2>"$W/$name.err" &
    local pid=$!
    if [ "$kills" -lt "$KILLS" ]; then
      # Uniform in [20 ms, 2 × DELAY_MS): on average half of DELAY_MS, the reference run's
      # duration over (KILLS + 2), so KILLS kills land before the work is done on any machine.
      local ms=$((20 + (RANDOM * 32768 + RANDOM) % (2 * DELAY_MS)))
      sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
      if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        kills=$((kills + 1))
        check_files "$out" "$part"
        if [ -e "$out" ]; then
          # The kill came after the run had renamed its complete output into place (checked just
          # above: a readable file) but before it exited; its progress file may still be there
          # (it is removed after the rename). A campaign's or transient run's --resume must then
          # remove the stale progress file and leave the output as it is. Then start again.
          if [ "$name" != training ] && [ -e "$part" ]; then
            cp "$out" "$W/$name.finished.h5"
            "$@" --resume >/dev/null 2>"$W/$name.err" || { cat "$W/$name.err" >&2; fail "$name: --resume of a finished run failed"; }
            [ -e "$part" ] && fail "$name: --resume of a finished run left $part"
            cmp -s "$out" "$W/$name.finished.h5" || fail "$name: --resume of a finished run changed $out"
            log "$name: kill $kills came between the rename and the progress file's removal; --resume removed it"
          fi
          log "$name: kill $kills came after the output was complete; starting again"
          rm -f "$out" "$part"
          resume=()
          continue
        fi
        [ -e "$part" ] && resume=(--resume) || resume=()
        continue
      fi
    fi
    wait "$pid" && status=0 || status=$?
    [ "$status" -eq 0 ] || { cat "$W/$name.err" >&2; fail "$name: the resumed run failed (exit $status)"; }
    break
  done
  # A campaign's or a transient run's progress file goes away on completion; a training
  # checkpoint stays (it is the model's provenance and allows training on).
  [ "$name" != training ] && [ -e "$part" ] && fail "$name: $part left behind after completion"
  check_files "$out" "$part"
  if [ "$kills" -lt "$KILLS" ]; then
    log "$name: only $kills of $KILLS kills landed before the run finished (kill moments up to $((2 * DELAY_MS)) ms)"
    return 2
  fi
  log "$name: $kills kills survived (kill moments up to $((2 * DELAY_MS)) ms after each start)"
  total_kills=$((total_kills + kills))
}

# with_kills NAME OUTPUT PART CMD...: run_with_kills from a clean start; when the run finished
# before all KILLS kills had landed (the moments are random), again with DELAY_MS halved, up to
# three attempts, so that every pass of this script has seen KILLS kills of each kind.
with_kills() {
  local attempt status
  for attempt in 1 2 3; do
    rm -f "$2" "$3"
    status=0
    run_with_kills "$@" || status=$?
    [ "$status" -eq 0 ] && return 0
    [ "$status" -eq 2 ] || exit "$status"
    DELAY_MS=$(( DELAY_MS / 2 )); [ "$DELAY_MS" -ge 20 ] || DELAY_MS=20
  done
  fail "$1: fewer than $KILLS kills landed in three attempts"
}

# 1. DNS campaign --------------------------------------------------------------------------------
CAMPAIGN=(dns unitcell --samples 16 --seed 3 --cells-per-tile 44 --checkpoint-every 1 --quiet)
timed "$TISSUE" "${CAMPAIGN[@]}" -o "$W/campaign-ref.h5"
with_kills campaign "$W/campaign.h5" "$W/campaign.part.h5" "$TISSUE" "${CAMPAIGN[@]}" -o "$W/campaign.h5"
same_datasets "$W/campaign-ref.h5" "$W/campaign.h5" /samples/features /samples/eta /samples/inputs /samples/realization /samples/domain

# 2. Training ------------------------------------------------------------------------------------
python3 - "$W/train.csv" <<'PY'
import sys
m, rows = 150, []
for j in range(4):
    for k in range(m):
        por = 0.3 + 0.5 * (k % 7) / 7; phi2 = (k * 37) % 100; pe = (k * 13) % 50; dr = 0.05 + (k % 10) / 10
        c = 0.1 + ((k + j * 3) % 9) / 2; g = j / 8
        eta = (0.9 + 0.1 * por) / (1 + 0.02 * phi2 / (1 + c))
        rows.append(",".join(repr(float(v)) for v in (por, phi2, pe, dr, c, g, eta)))
open(sys.argv[1], "w").write("por,phi2,Pe,Dr,c_f_avg_norm,d_f_c_avg_norm,eta_d_f\n" + "\n".join(rows) + "\n")
PY
train_config() {
  cat > "$W/$1.toml" <<TOML
[run]
seed = 4
[data]
file = "$W/train.csv"
[network]
hidden = [32, 32]
activation = "tanh"
[training]
epochs = 8000
batch_size = 16
learning_rate = 2e-3
patience = 0
checkpoint_every = 7
[output]
model = "$W/$1.h5"
checkpoint = "$W/$1.checkpoint.h5"
TOML
}
train_config train-ref
train_config train
timed "$TISSUE" train "$W/train-ref.toml" --quiet
with_kills training "$W/train.h5" "$W/train.checkpoint.h5" "$TISSUE" train "$W/train.toml" --quiet
rm -f "$W/train.checkpoint.h5" "$W/train-ref.checkpoint.h5"
same_datasets "$W/train-ref.h5" "$W/train.h5" /model/layers/0/W /model/layers/0/b /model/layers/1/W /model/layers/2/W /model/layers/2/b

# 3. Transient upscaled run ----------------------------------------------------------------------
TRANSIENT=(run examples/brain-transient.toml --quiet --checkpoint-every 5 --set grid.cells=3000)
timed "$TISSUE" "${TRANSIENT[@]}" -o "$W/transient-ref.h5"
with_kills transient "$W/transient.h5" "$W/transient.part.h5" "$TISSUE" "${TRANSIENT[@]}" -o "$W/transient.h5"
same_datasets "$W/transient-ref.h5" "$W/transient.h5" /macro/t /macro/c_t /macro/c /macro/eta

log "PASS: $total_kills SIGKILLs, no corrupt or half-written file, every resumed run bit-identical to an uninterrupted one"
