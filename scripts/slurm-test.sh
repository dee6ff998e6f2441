#!/usr/bin/env bash
# End-to-end test of examples/slurm/unitcell-array.sbatch on a real one-node Slurm
# (the recipe is written out below). Run by `make test-slurm`.
#
#  1. installs slurmd/slurmctld/slurm-client/munge via apt-get if missing (needs root);
#  2. starts a private munged, slurmctld and slurmd in a temp dir (free ports,
#     SlurmUser=root, all pid/log/state files in the temp dir);
#  3. submits the example as a 4-task job array for a small sampled campaign;
#  4. merges the 4 parts with `tissue dns merge`, runs the same campaign in one
#     process, and checks that /samples/{features,eta,inputs,realization,domain}
#     are bit-identical.
# The daemons it started are stopped on exit by the pids in their pid files.
#
# Environment: TISSUE (binary, default .build/release/tissue), SAMPLES (8), SEED (3),
# CELLS_PER_TILE (48), TASKS (4), JOB_TIMEOUT (300 s), KEEP=1 keeps the temp dir.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TISSUE="${TISSUE:-$REPO/.build/release/tissue}"
SBATCH_SCRIPT="$REPO/examples/slurm/unitcell-array.sbatch"
SAMPLES="${SAMPLES:-8}"
SEED="${SEED:-3}"
CELLS_PER_TILE="${CELLS_PER_TILE:-48}"
TASKS="${TASKS:-4}"
JOB_TIMEOUT="${JOB_TIMEOUT:-300}"

T0=$(date +%s)
log()  { printf '[slurm-test %3ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail() { printf '[slurm-test] FAIL: %s\n' "$*" >&2; exit 1; }

[ -x "$TISSUE" ] || fail "no tissue binary at $TISSUE (run \`make release\` first)"
[ -f "$SBATCH_SCRIPT" ] || fail "missing $SBATCH_SCRIPT"

# ---------------------------------------------------------------- 1. packages
if [ "$(id -u)" -ne 0 ]; then
  fail "needs root: the one-node cluster runs with SlurmUser=root (see the comments at the top of this script)"
fi
missing=""
for p in slurmd slurmctld slurm-client munge; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
for c in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
  command -v "$c" >/dev/null || fail "$c not found after installing Slurm"
done

# ---------------------------------------------------------------- 2. cluster
D="$(mktemp -d /tmp/tissue-slurm.XXXXXX)"
chmod 700 "$D"
JOBID=""
OK=0

stop_pidfile() {  # stop_pidfile NAME FILE: TERM the pid in FILE, wait, KILL if still alive
  local name="$1" f="$2" pid i
  [ -s "$f" ] || return 0
  pid="$(tr -dc 0-9 < "$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  log "stopped $name (pid $pid)"
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$JOBID" ] && [ -n "${SLURM_CONF:-}" ]; then
    if [ -n "$(squeue -h -j "$JOBID" 2>/dev/null)" ]; then
      log "cancelling job $JOBID"
      scancel "$JOBID" 2>/dev/null
      for _ in $(seq 30); do [ -z "$(squeue -h -j "$JOBID" 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  stop_pidfile slurmd    "$D/slurmd.pid"
  stop_pidfile slurmctld "$D/slurmctld.pid"
  stop_pidfile munged    "$D/munged.pid"
  if [ "$OK" = 1 ] && [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$D"
  else
    echo "[slurm-test] logs and outputs kept in $D" >&2
    if [ "$OK" != 1 ]; then
      for f in "$D"/slurmctld.log "$D"/slurmd.log "$D"/work/logs/*; do
        [ -s "$f" ] && { echo "---- tail $f" >&2; tail -n 15 "$f" >&2; }
      done
    fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {  # a free TCP port in 20000–29999, not in the excluded list
  local p i
  for i in $(seq 200); do
    p=$(( 20000 + (RANDOM % 10000) ))
    case " $* " in *" $p "*) continue ;; esac
    port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}
CTLD_PORT="$(pick_port)" || fail "no free port"
SLURMD_PORT="$(pick_port "$CTLD_PORT")" || fail "no free port"

# munge: a private munged on its own socket, with the system key.
KEY=/etc/munge/munge.key
if [ ! -s "$KEY" ]; then
  log "creating $KEY"
  mkdir -p /etc/munge
  dd if=/dev/urandom of="$KEY" bs=1 count=1024 status=none
  chmod 400 "$KEY"
  chown munge:munge "$KEY" 2>/dev/null || true
fi
munged --force --socket="$D/munge.sock" --pid-file="$D/munged.pid" --log-file="$D/munged.log" \
       --seed-file="$D/munged.seed" --key-file="$KEY" \
  || fail "munged did not start (see $D/munged.log)"
for _ in $(seq 50); do [ -S "$D/munge.sock" ] && break; sleep 0.1; done
munge -S "$D/munge.sock" -n | unmunge -S "$D/munge.sock" >/dev/null \
  || fail "munge round trip failed"

HOST="$(hostname -s)"
NCPU="$(nproc)"
FREE_MB="$(free -m | awk '/^Mem:/ {print $7}')"
MEM_MB=$(( FREE_MB * 9 / 10 ))
[ "$MEM_MB" -ge 1024 ] || MEM_MB=1024
mkdir -p "$D/state" "$D/spool" "$D/work"
cat > "$D/slurm.conf" <<EOF
ClusterName=tissuetest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge.sock
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SlurmctldDebug=info
SlurmdDebug=info
MinJobAge=600
NodeName=$HOST CPUs=$NCPU RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$D/slurm.conf"

log "starting slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT) in $D"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

state=""
for _ in $(seq 60); do
  state="$(sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n1 || true)"
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "node $HOST not idle after 60 s (state: '${state:-none}')"
log "node $HOST idle ($NCPU CPUs, ${MEM_MB} MiB)"

# ---------------------------------------------------------------- 3. job array
W="$D/work"
mkdir -p "$W/logs" "$W/parts"
JOBID="$(cd "$W" && SAMPLES="$SAMPLES" SEED="$SEED" CELLS_PER_TILE="$CELLS_PER_TILE" TISSUE="$TISSUE" \
         sbatch --parsable --chdir="$W" --array=0-$((TASKS - 1)) "$SBATCH_SCRIPT")" \
  || fail "sbatch failed"
JOBID="${JOBID%%;*}"
log "submitted job array $JOBID (--array=0-$((TASKS - 1)); --samples $SAMPLES --seed $SEED --cells-per-tile $CELLS_PER_TILE)"

deadline=$(( $(date +%s) + JOB_TIMEOUT ))
while [ -n "$(squeue -h -j "$JOBID" 2>/dev/null)" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "job array $JOBID not finished after ${JOB_TIMEOUT} s: $(squeue -h -j "$JOBID" -o '%i %T %R' | tr '\n' ';')"
  sleep 1
done

# Every array task must have COMPLETED with exit code 0.
states="$(scontrol -o show job "$JOBID" 2>/dev/null \
          | sed -n 's/.*ArrayTaskId=\([0-9]*\).*JobState=\([A-Z_]*\).* ExitCode=\([0-9:]*\).*/\1 \2 \3/p' | sort -n)"
log "array tasks (id state exit): $(echo "$states" | tr '\n' ';')"
n_done="$(echo "$states" | awk '$2 == "COMPLETED" && $3 == "0:0"' | wc -l)"
[ "$n_done" -eq "$TASKS" ] || fail "$n_done of $TASKS array tasks completed: $states"

parts=()
for k in $(seq 1 "$TASKS"); do
  f="$W/parts/part-$k.h5"
  [ -s "$f" ] || fail "missing $f"
  parts+=("$f")
done

# ---------------------------------------------------------------- 4. merge, one-process run, compare
"$TISSUE" dns merge "$W/merged.h5" "${parts[@]}" --quiet >/dev/null || fail "tissue dns merge failed"
log "merged $TASKS parts"
"$TISSUE" dns unitcell --samples "$SAMPLES" --seed "$SEED" --cells-per-tile "$CELLS_PER_TILE" \
  -o "$W/single.h5" --quiet >/dev/null || fail "one-process run failed"
log "one-process run done"

DATASETS="features eta inputs realization domain"
PY="$REPO/.venv/bin/python"
if [ -x "$PY" ] && "$PY" -c 'import h5py, numpy' 2>/dev/null; then
  "$PY" - "$W/merged.h5" "$W/single.h5" $DATASETS <<'PYEOF' || fail "merged file differs from the one-process run"
import sys, h5py, numpy as np
a_path, b_path, names = sys.argv[1], sys.argv[2], sys.argv[3:]
bad = 0
with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
    for n in names:
        x, y = a["/samples/" + n][()], b["/samples/" + n][()]
        same = x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
        print(f"  /samples/{n:12s} {str(x.shape):10s} {x.dtype}  {'bit-identical' if same else 'DIFFERENT'}")
        bad += not same
    if a["/samples/eta"].shape[0] == 0:
        print("  empty training set"); bad += 1
sys.exit(1 if bad else 0)
PYEOF
else
  command -v h5dump >/dev/null || fail "neither .venv/bin/python with h5py nor h5dump available to compare"
  for n in $DATASETS; do
    # full-precision (%.17g) dump of the values; drop the line naming the file.
    h5dump -d "/samples/$n" -m '%.17g' "$W/merged.h5" | tail -n +2 > "$W/a.$n"
    h5dump -d "/samples/$n" -m '%.17g' "$W/single.h5" | tail -n +2 > "$W/b.$n"
    if cmp -s "$W/a.$n" "$W/b.$n"; then echo "  /samples/$n bit-identical (h5dump %.17g)"
    else diff "$W/a.$n" "$W/b.$n" | head -n 10; fail "/samples/$n differs"; fi
  done
fi

OK=1
log "PASS: $TASKS-task Slurm array + merge is bit-identical to the one-process run ($SAMPLES realisations)"
