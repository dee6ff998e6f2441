#!/usr/bin/env python3
# Regenerate with: python3 -m venv /tmp/pil && /tmp/pil/bin/pip install pillow && /tmp/pil/bin/python scripts/make_png_fixtures.py
# Fixture PNGs for Tests/MicroscaleTests/PNGImageTests.swift, written by Pillow (an independent
# encoder) and, for Adam7 interlacing (which Pillow cannot write), by a small stdlib encoder.
import base64, io, struct, zlib
from PIL import Image
W, H = 37, 23
def g8(x, y): return (x * 7 + y * 13) % 256
out = {}
def save(name, img, **kw):
    b = io.BytesIO(); img.save(b, format="PNG", **kw); out[name] = b.getvalue()
L = Image.new("L", (W, H)); L.putdata([g8(x, y) for y in range(H) for x in range(W)]); save("gray8", L, optimize=True)
one = Image.new("1", (W, H)); one.putdata([255 if (x + 2 * y) % 5 < 2 else 0 for y in range(H) for x in range(W)]); save("gray1", one)
rgb = Image.new("RGB", (W, H)); rgb.putdata([(g8(x, y), (3 * x) % 256, (5 * y) % 256) for y in range(H) for x in range(W)]); save("rgb8", rgb)
rgba = rgb.convert("RGBA"); save("rgba8", rgba)
pal = rgb.quantize(colors=16); save("palette", pal)
i16 = Image.new("I;16", (W, H)); i16.putdata([(x * 1700 + y * 900) % 65536 for y in range(H) for x in range(W)]); save("gray16", i16)
# Adam7, 8-bit grey, Paeth/Sub/Up filters cycling, by hand.
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
raw = b""
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
k = 0
for x0, y0, dx, dy in passes:
    xs = list(range(x0, W, dx)); ys = list(range(y0, H, dy))
    if not xs or not ys: continue
    prev = [0] * len(xs)
    for y in ys:
        line = [g8(x, y) for x in xs]
        f = k % 5; k += 1
        enc = []
        for i, v in enumerate(line):
            a = line[i - 1] if i else 0; b = prev[i]; c = prev[i - 1] if i else 0
            if f == 0: p = 0
            elif f == 1: p = a
            elif f == 2: p = b
            elif f == 3: p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            enc.append((v - p) % 256)
        raw += bytes([f] + enc); prev = line
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 0, 0, 0, 1)) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
out["gray8_adam7"] = png
# Expected grey levels of the palette image (what Pillow stored) as luma of its palette.
pp = pal.getpalette(); idx = [pal.getpixel((x, y)) for y in range(H) for x in range(W)]
lum = [(299 * pp[3 * i] + 587 * pp[3 * i + 1] + 114 * pp[3 * i + 2] + 500) // 1000 for i in idx]
print("// palette luma checksum:", sum(lum), "first:", lum[:5])
for n, b in out.items():
    print(f'        "{n}": "{base64.b64encode(b).decode()}",')
print(len(out), {n: len(b) for n, b in out.items()})
