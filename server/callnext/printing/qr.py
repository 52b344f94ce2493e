"""QR codes for tickets: an SVG any browser shows and prints sharp at any size."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

FIXED_SIZE = re.compile(r' (width|height)="[0-9.]+mm"')


def qr_svg(text: str) -> str:
    """`text` as a QR code (error correction M, 4-module quiet zone), a standalone SVG that
    scales to whatever box the page gives it (viewBox only, no fixed size)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    return FIXED_SIZE.sub("", svg, count=2).replace(
        "<svg ", '<svg shape-rendering="crispEdges" ', 1
    )
