#!/usr/bin/env bash
# Work-precision of the transient integrators on the brain strip (examples/brain-transient.toml,
# 1000 cells, an empty strip filled from the inlet, outputs 1-50 ms): max |c - c_ref| / cL over the
# output times against wall time (solver_seconds), for fixed-step BDF2 at several time steps and the
# error-controlled default (CVODES) at several rtol. Two closures:
#   * constant eta = 0.74 and D* = 6.87e-11 m2/s: c_ref is an independent tight solution of the same
#     discretisation (bench/transient_reference.py: SciPy BDF, rtol 1e-10);
#   * the shipped MLP closure: c_ref is our own CVODES run at rtol 1e-10 (no peer runs the network).
# Writes docs/transient-work-precision.svg and prints a markdown table (also saved to
# bench/results/transient.md, not kept in git; the measured table is in docs/transient.md).
#
#   bench/transient.sh
#   DTS="0.2 0.05" RTOLS="1e-4 1e-6" CELLS=1000 bench/transient.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/common.sh
DTS=${DTS:-"0.4 0.2 0.1 0.05 0.025 0.0125"}
RTOLS=${RTOLS:-"1e-3 1e-4 1e-5 1e-6 1e-7 1e-8"}
CELLS=${CELLS:-1000}
peer_venv numpy scipy h5py matplotlib
swift build -c release --product tissue >&2
TISSUE=.build/release/tissue
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p bench/results

# The constant-closure scenario: the example with eta = 0.74 and a constant D*.
sed -e 's|^kind = "mlp".*|kind = "constant"\neta = 0.74|' -e '/^model = /d' \
    -e 's|^kind = "table"|kind = "constant"\nvalue = "6.87e-11 m^2/s"|' \
    -e "s|\"../tissues/brain.toml\"|\"$PWD/tissues/brain.toml\"|" examples/brain-transient.toml > "$WORK/constant.toml"
cp examples/brain-transient.toml "$WORK/mlp.toml"
sed -i "s|\"../tissues/brain.toml\"|\"$PWD/tissues/brain.toml\"|; s|\"../models/|\"$PWD/models/|" "$WORK/mlp.toml"

run() {   # case label args... -> prints "case,label,seconds,file"
    local case=$1 label=$2; shift 2
    local out="$WORK/$case-$label.h5"
    local seconds
    seconds=$("$TISSUE" run "$WORK/$case.toml" -o "$out" --quiet --json --set "grid.cells=$CELLS" "$@" 2>/dev/null \
        | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["solver_seconds"])')
    echo "$case,$label,$seconds,$out"
}

LIST="$WORK/runs.csv"
: > "$LIST"
for case in constant mlp; do
    echo "== $case closure" >&2
    run "$case" reference-cvode-1e-10 --set transient.rtol=1e-10 --set "transient.atol=1e-13 mol/m^3" >> "$LIST"
    for dt in $DTS; do run "$case" "bdf2-dt-${dt}ms" --set transient.scheme=bdf2 --set "transient.time_step=$dt ms" >> "$LIST"; done
    for r in $RTOLS; do run "$case" "cvode-rtol-$r" --set "transient.rtol=$r" >> "$LIST"; done
done
echo "== independent reference (SciPy BDF, rtol 1e-10) for the constant closure" >&2
"$PY" bench/transient_reference.py "$WORK/constant-reference-cvode-1e-10.h5" "$WORK/scipy.npz"
"$PY" bench/transient_precision.py "$LIST" "$WORK/scipy.npz" docs/transient-work-precision.svg | tee bench/results/transient.md
