#!/usr/bin/env bash
# Training speed: `tissue train` against a PyTorch peer (bench/train_peer.py) on the same data
# (data/training/, the shipped tissue closure's sets), split, scaling, network, MAPE loss, Adam and
# batch size, float32 on the CPU, both with THREADS threads, in the same run. Reports the median
# epoch time of each side (an epoch = shuffled minibatches with Adam, then the validation forward
# pass) and their ratio per network (bar: ours / PyTorch <= 1.0).
#
#   bench/train.sh                      # reference size and compact networks, 6 epochs each
#   EPOCHS=10 NETWORKS=compact bench/train.sh
#
# Environment: EPOCHS (6), THREADS (2), NETWORKS ("reference compact"), PYTHON (python3, only to
# create bench/.venv; PyTorch comes from PyPI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
EPOCHS=${EPOCHS:-6}
THREADS=${THREADS:-2}
NETWORKS=${NETWORKS:-"reference compact"}
. bench/common.sh
peer_venv numpy h5py torch

echo "== swift build -c release --product tissue" >&2
swift build -c release --product tissue >&2
TISSUE=$(swift build -c release --show-bin-path)/tissue
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATA="data/training/voronoi-main-2400.h5 data/training/voronoi-tissue-1600.h5 data/training/voronoi-brain-1200.h5"   # the order of examples/train-tissue.toml
hidden_of() { case "$1" in reference) echo 1024,512,256,64,16 ;; compact) echo 128,64,32 ;; *) echo "unknown network $1" >&2; exit 2 ;; esac; }
for net in $NETWORKS; do
    hidden=$(hidden_of "$net")
    echo "== $net: tissue train, $EPOCHS epochs" >&2
    OPENBLAS_NUM_THREADS=$THREADS "$TISSUE" train examples/train-tissue-reference-size.toml --quiet \
        --set "network.hidden=[$hidden]" --set training.epochs=$EPOCHS --set training.patience=$EPOCHS \
        --set training.batch_size=256 --set training.learning_rate=1e-3 --set training.checkpoint_every=$EPOCHS \
        --set output.model="$WORK/$net.h5" --set output.checkpoint="$WORK/$net.checkpoint.h5" >&2
    "$PY" -c "import h5py, json, numpy as np, sys; s = h5py.File(sys.argv[1])['checkpoint/history/seconds'][:]; \
print(json.dumps({'epoch_seconds': s.tolist(), 'median_epoch_seconds': float(np.median(s))}))" \
        "$WORK/$net.checkpoint.h5" > "$WORK/swift_$net.json"
    echo "== $net: PyTorch peer, $EPOCHS epochs" >&2
    "$PY" bench/train_peer.py --hidden "$hidden" --batch 256 --epochs "$EPOCHS" --threads "$THREADS" $DATA > "$WORK/peer_$net.json"
done
"$PY" - "$WORK" $NETWORKS <<'PYEOF'
import json, sys
work, nets = sys.argv[1], sys.argv[2:]
peer = json.load(open(f"{work}/peer_{nets[0]}.json"))["peer"]
print(f"training epoch time, batch 256, float32, data/training (5200 realisations); peer: {peer}")
print(f"{'network':<10} {'swift median':>13} {'torch median':>13} {'swift/torch':>12}")
for n in nets:
    s, p = json.load(open(f"{work}/swift_{n}.json")), json.load(open(f"{work}/peer_{n}.json"))
    print(f"{n:<10} {s['median_epoch_seconds']:>12.3f}s {p['median_epoch_seconds']:>12.3f}s "
          f"{s['median_epoch_seconds'] / p['median_epoch_seconds']:>12.2f}")
PYEOF
