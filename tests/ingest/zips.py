"""Hand-built ZIP files whose headers may claim any size (compression bombs for tests)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

_MB = 1024 * 1024


def _deflate_zeros(n_bytes: int) -> bytes:
    """A raw deflate stream of `n_bytes` zeros, built by repeating one flushed block.

    Compressing 1.5 GB would take seconds; repeating a 1 MB full-flush block (each is
    byte-aligned and independent of the ones before) takes a few milliseconds."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(_MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(n_bytes, _MB)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * whole + tail.compress(bytes(rest)) + tail.flush()


def zip_bytes(members: Sequence[tuple[str, bytes | int, int | None]]) -> bytes:
    """A ZIP of (name, content, declared size) members.

    `content` is bytes (stored deflated as is) or an int: that many zero bytes. `declared`
    overrides the uncompressed size the headers claim (None: the true size). CRCs of
    zero-filled members are left at 0: a reader that refuses early never checks them."""
    local = bytearray()
    central = bytearray()
    for name, content, declared in members:
        if isinstance(content, int):
            data, size, crc = _deflate_zeros(content), content, 0
        else:
            data, size, crc = zlib.compress(content, 9)[2:-4], len(content), zlib.crc32(content)
        size = size if declared is None else declared
        encoded = name.encode()
        offset = len(local)
        local += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        local += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    return bytes(local + central + end)
