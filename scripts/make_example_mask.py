#!/usr/bin/env python3
"""Make examples/masks/ellipses.pgm: a small synthetic segmented tissue image (1 = cell, bright).

Not real tissue: elliptical cells of random size and orientation, thrown at random (largest first)
with a gap of at least 2 pixels until 30 000 throws miss, then grown pixel by pixel into the fluid
(each cell keeps a 2-pixel channel to its neighbours) until the fluid (dark) fraction is 0.30 or
nothing can grow. 192 x 192 pixels;
use it with a pixel size of 0.25 um (a 48 um square, cells of r_eff about 1.5 um). It stands in for a
user's own segmented image in the mask-closure example (docs/closures.md).

    python3 scripts/make_example_mask.py            # writes examples/masks/ellipses.pgm (seed 7)
"""
import numpy as np
from pathlib import Path

SIZE, TARGET_FLUID, GAP, SEED = 192, 0.30, 2.0, 7


def neighbours(label, reach=1):
    """The labels of the neighbours within `reach` pixels (a (2 reach + 1)² square) of every pixel (periodic)."""
    span = range(-reach, reach + 1)
    return [np.roll(np.roll(label, dy, 0), dx, 1) for dy in span for dx in span if dy or dx]


def grow(label, rng):
    """Grow cells into fluid pixels whose 5 x 5 neighbourhood holds exactly one cell, in random order of
    rounds, until the fluid fraction reaches TARGET_FLUID or nothing can grow: channels between cells stay
    at least 2 pixels wide, so they stay open through 4-connected (finite-volume) faces."""
    while (label == 0).mean() > TARGET_FLUID:
        nb = np.stack(neighbours(label, reach=2))
        top = nb.max(axis=0)
        low = np.where(nb > 0, nb, np.iinfo(np.int32).max).min(axis=0)
        free = (label == 0) & (top > 0) & (top == low)   # touches one cell only: growing keeps the channel
        # grow a random half of the candidates each round, so two facing cells do not close a channel together
        free &= rng.uniform(size=free.shape) < 0.5
        if not free.any():
            break
        new = np.where(free, top, 0)
        # refuse new pixels that would touch another cell's new pixel
        clash = np.zeros_like(free)
        for n in neighbours(new, reach=2):
            clash |= free & (n > 0) & (n != new)
        label[free & ~clash] = new[free & ~clash]


def main():
    rng = np.random.default_rng(SEED)
    cells = np.zeros((SIZE, SIZE), dtype=np.uint8)
    grown = np.zeros((SIZE, SIZE), dtype=bool)   # cells dilated by the gap: no new cell may touch them
    misses = throws = 0
    r = np.arange(-14, 15) + 0.0
    label = np.zeros((SIZE, SIZE), dtype=np.int32)
    while cells.mean() < 1 - TARGET_FLUID and misses < 30000:
        # sizes shrink as the image fills, so small cells fill the holes the large ones leave
        a = rng.uniform(3.0, 9.0) * max(0.4, 1 - throws / 60000)
        b = a * rng.uniform(0.6, 1.0)
        t = rng.uniform(0, np.pi)
        cx, cy = rng.integers(0, SIZE, 2)
        fx, fy = rng.uniform(0, 1, 2)
        dy, dx = np.meshgrid(r - fy + 0.5, r - fx + 0.5, indexing="ij")
        u = dx * np.cos(t) + dy * np.sin(t)
        v = -dx * np.sin(t) + dy * np.cos(t)
        inside = (u / a) ** 2 + (v / b) ** 2 <= 1
        halo = (u / (a + GAP)) ** 2 + (v / (b + GAP)) ** 2 <= 1
        rows = (cy + np.arange(-14, 15)) % SIZE   # periodic, so the image tiles
        cols = (cx + np.arange(-14, 15)) % SIZE
        window = np.ix_(rows, cols)
        throws += 1
        if (grown[window] & inside).any() or (cells[window].astype(bool) & halo).any():
            misses += 1
            continue
        cells[window] |= inside.astype(np.uint8)
        label[window] = np.where(inside, throws, label[window])
        grown[window] |= halo
    grow(label, rng)
    cells = (label > 0).astype(np.uint8)
    out = Path(__file__).resolve().parent.parent / "examples" / "masks" / "ellipses.pgm"
    image = (cells[::-1] * 255).astype(np.uint8)   # PGM rows run top to bottom
    out.write_bytes(f"P5\n# synthetic cells, scripts/make_example_mask.py seed {SEED}\n{SIZE} {SIZE}\n255\n".encode() + image.tobytes())
    print(f"{out}: {SIZE}x{SIZE}, fluid fraction {1 - cells.mean():.4f}")


if __name__ == "__main__":
    main()
