"""Draw the app icons (a white house on the brand colour) as PNG, with no imaging library."""
import struct
import zlib
from pathlib import Path

BRAND, WHITE = (156, 58, 18), (255, 250, 242)


def inside_house(x, y):
    """True where the house shape (roof, walls, not the door) covers the point (0..1 units)."""
    roof = 0.22 <= y <= 0.48 and abs(x - 0.5) <= (y - 0.22) / 0.26 * 0.32
    walls = 0.46 <= y <= 0.8 and 0.26 <= x <= 0.74
    door = 0.6 <= y <= 0.8 and 0.44 <= x <= 0.56
    return (roof or walls) and not door


def png(size):
    """PNG bytes of the icon at ``size`` px square."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(WHITE if inside_house(x / size, y / size) else BRAND)
                           for x in range(size))
        for y in range(size)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    for size in (192, 512):
        (Path(__file__).resolve().parent.parent / "static" / "icons" / f"icon-{size}.png").write_bytes(png(size))
