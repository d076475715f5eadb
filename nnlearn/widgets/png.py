"""A figure's pixels as PNG bytes, quickly: the apps encode one picture per slider move.

Pillow's PNG encoder picks a filter per row (the adaptive heuristic of libpng), which costs more
than the compression itself at zlib level 1. The apps' figures are mostly flat colour, where
filtering gains almost nothing: with no filter (type 0 on every row) the PNG is as small (within
a few per cent either way, measured on every app) and is encoded in about half the time.
A PNG is an 8-byte signature and chunks of length, type, data and CRC-32 (RFC 2083).
"""

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 1                              # zlib's fastest level: the picture is local, bytes are cheap


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels, level=LEVEL):
    """PNG bytes of an (height, width, 3) RGB or (height, width, 4) RGBA uint8 array."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"pixels: expected a (height, width, 3 or 4) uint8 array, got {pixels.dtype} {pixels.shape}")
    height, width, channels = pixels.shape
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0                                     # filter type 0 (None) on every row
    rows[:, 1:] = pixels.reshape(height, width * channels)
    colour_type = {3: 2, 4: 6}[channels]               # truecolour, truecolour with alpha
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.data, level))
            + _chunk(b"IEND", b""))
