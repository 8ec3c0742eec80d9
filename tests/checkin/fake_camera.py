"""A fake camera for Chromium (--use-file-for-fake-video-capture): a Y4M video of one
still frame showing a QR code image. Chromium loops the file, so one frame is enough."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 640, 480
# Video (BT.601 "limited range") levels: luma 16..235, chroma 16..240.
LUMA = [16 + round(v * 219 / 255) for v in range(256)]
CHROMA = [128 + round((v - 128) * 224 / 255) for v in range(256)]


def frame_with(qr_png: bytes, side: int = 360) -> Image.Image:
    """The QR image, scaled to `side` pixels without blurring, centred on white."""
    qr = Image.open(io.BytesIO(qr_png)).convert("L")
    qr = qr.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    return frame.convert("RGB")


def write_y4m(frame: Image.Image, path: Path) -> Path:
    """One 4:2:0 frame: the Y plane at full size, Cb and Cr at half size in each direction."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (frame.width // 2, frame.height // 2)
    planes = [y.point(LUMA)] + [c.resize(half, Image.BOX).point(CHROMA) for c in (cb, cr)]
    header = f"YUV4MPEG2 W{frame.width} H{frame.height} F15:1 Ip A1:1 C420jpeg\n"
    Path(path).write_bytes(header.encode() + b"FRAME\n" + b"".join(p.tobytes() for p in planes))
    return Path(path)
