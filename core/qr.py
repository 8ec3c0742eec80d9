"""QR codes: PNG for emails and print, SVG for pages. Pure functions."""

from __future__ import annotations

import io

import qrcode
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage


def _qr(data: str, box_size: int, border: int) -> qrcode.QRCode:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border
    )
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 8, border: int = 4) -> bytes:
    """A PNG through Pillow's image factory (faster than the pure-Python writer)."""
    image = _qr(data, box_size, border).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str, border: int = 4) -> str:
    """An SVG document (one path, scales to any size)."""
    image = _qr(data, 10, border).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode")
