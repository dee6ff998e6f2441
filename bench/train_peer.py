#!/usr/bin/env python3
"""PyTorch peer of `tissue train` for bench/train.sh: the same data, split, scaling, network, loss,
optimiser and batch size, timed per epoch (one pass of shuffled minibatches with Adam, then the
validation forward pass), float32 on CPU.

    python bench/train_peer.py --hidden 1024,512,256,64,16 --batch 256 --epochs 5 --threads 2 DATA.h5 ...

Prints one JSON line: the median and per-epoch seconds and the last losses.
"""
import argparse, json, time
import h5py, numpy as np, torch


def load(paths):
    xs, ys, rs, offset = [], [], [], 0
    for p in paths:
        s = h5py.File(p, "r")["samples"]
        r = s["realization"][:].astype(np.int64)
        xs.append(s["features"][:]); ys.append(s["eta"][:]); rs.append(r + offset)
        # as TrainingSet.concatenated: shift past this file's realisations by a multiple of 5
        offset += int(np.ceil((r.max() + 1) / 5) * 5)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(rs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="+")
    ap.add_argument("--hidden", default="1024,512,256,64,16")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y, r = load(a.data)
    rng = np.random.default_rng(1)
    rest = np.unique(r[r % 5 != 4])
    val_real = set(rng.choice(rest, size=max(1, int(round(0.05 * len(rest)))), replace=False).tolist())
    is_val = np.array([k in val_real for k in r])
    train = (r % 5 != 4) & ~is_val
    lo, hi = x[train].min(0), x[train].max(0)
    scale = lambda v: np.clip((v - lo) / np.where(hi > lo, hi - lo, 1), 0, 1).astype(np.float32)
    xt, yt = torch.from_numpy(scale(x[train])), torch.from_numpy(y[train].astype(np.float32))
    xv, yv = torch.from_numpy(scale(x[is_val])), torch.from_numpy(y[is_val].astype(np.float32))
    widths = [x.shape[1]] + [int(w) for w in a.hidden.split(",")] + [1]
    layers = []
    for i in range(len(widths) - 1):
        lin = torch.nn.Linear(widths[i], widths[i + 1])
        torch.nn.init.xavier_uniform_(lin.weight); torch.nn.init.zeros_(lin.bias)
        layers += [lin] + ([torch.nn.ReLU()] if i < len(widths) - 2 else [])
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr, eps=1e-7)
    mape = lambda p, t: (torch.abs(p - t) / torch.abs(t)).mean() * 100
    seconds, losses = [], []
    n = xt.shape[0]
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = mape(net(xt[idx])[:, 0], yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        with torch.no_grad():
            vloss = mape(net(xv)[:, 0], yv).item()
        seconds.append(time.perf_counter() - t0)
        losses.append((total / n, vloss))
    print(json.dumps({"peer": f"torch {torch.__version__}, {a.threads} threads", "widths": widths,
                      "train_rows": int(n), "validation_rows": int(xv.shape[0]), "epoch_seconds": seconds,
                      "median_epoch_seconds": float(np.median(seconds)), "last_losses": losses[-1]}))


if __name__ == "__main__":
    main()
