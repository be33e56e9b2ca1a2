#!/usr/bin/env python3
"""Draws resources/icons/medseg-studio.png (256x256): an axial slice with a segmented organ.

Pure standard library, so it runs anywhere; the PNG is committed and only redrawn by hand.
"""
import math
import struct
import sys
import zlib

SIZE = 256
SS = 4  # supersampling per axis


def inside_rounded_square(x, y, margin=12, radius=48):
    lo, hi = margin, SIZE - margin
    cx = min(max(x, lo + radius), hi - radius)
    cy = min(max(y, lo + radius), hi - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 and lo <= x <= hi and lo <= y <= hi


def ellipse(x, y, cx, cy, rx, ry, angle=0.0):
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = x - cx, y - cy
    u, v = dx * c + dy * s, -dx * s + dy * c
    return (u / rx) ** 2 + (v / ry) ** 2


def shade(x, y):
    """Returns (r, g, b, a) in 0..1 for one sample."""
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    r, g, b = 0.09, 0.13, 0.20  # dark background like a viewer
    body = ellipse(x, y, 128, 136, 96, 78)
    if body <= 1.0:
        grey = 0.55 + 0.08 * math.sin(x * 0.11) * math.cos(y * 0.09)
        r = g = b = grey
        for cx in (92, 164):  # lungs
            if ellipse(x, y, cx, 110, 28, 30) <= 1.0:
                r = g = b = 0.16
        if ellipse(x, y, 140, 190, 13, 11) <= 1.0:  # spine
            r = g = b = 0.95
    organ = ellipse(x, y, 96, 162, 38, 24, 0.35)  # the labeled organ
    if organ <= 1.0:
        r, g, b = 0.55 * r + 0.45 * 1.0, 0.55 * g + 0.45 * 0.55, 0.55 * b + 0.45 * 0.10
    if 0.82 <= organ <= 1.18:
        r, g, b = 1.0, 0.62, 0.12  # contour
    return (r, g, b, 1.0)


def main(path):
    rows = []
    for py in range(SIZE):
        row = bytearray([0])
        for px in range(SIZE):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = shade(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if alpha > 0:
                rgb = [min(255, round(255 * c / acc[3])) for c in acc[:3]]
            else:
                rgb = [0, 0, 0]
            row += bytes(rgb + [round(255 * alpha)])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "resources/icons/medseg-studio.png")
