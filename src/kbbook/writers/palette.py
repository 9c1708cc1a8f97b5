"""A picture in 256 colours when nobody could tell it from the original: both writers use
it for large PNGs (the EPUB's files, the PDF's images), unless `kbbook.image_palette` is
false."""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageStat

PALETTE_MIN_PSNR = 40.0
"""A 256-colour version must be this close to the original overall (peak signal-to-noise
ratio, in dB; 40 is where differences stop being visible)..."""
PALETTE_MAX_AREA_ERROR = 8
"""...and no 8x8 pixel area may be off by more than this many levels (of 255) on average in
any channel: a button, an icon or a background whose shade changed is rejected, however
small the image's overall error."""


def invisible_palette(im: Image.Image) -> Image.Image | None:
    """`im` in 256 colours when nobody could tell it from the original, else None.
    Screenshots and diagrams have few real colours and antialiased edges: most pass, at a
    third of the size; photos and gradients fail the checks and keep every colour."""
    if "transparency" in im.info:  # (a colour key: Pillow cannot write it on a palette)
        im = im.convert("RGBA")
    if im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 255:
        im = im.convert("RGB")  # opaque: the better quantiser (median cut) applies
    if im.mode == "RGB":
        method = Image.Quantize.MEDIANCUT
    elif im.mode == "RGBA":
        method = Image.Quantize.FASTOCTREE  # the only one of Pillow's that keeps alpha
    else:
        return None
    palette = im.quantize(256, method=method, dither=Image.Dither.NONE)
    difference = ImageChops.difference(palette.convert(im.mode), im)
    mse = sum(rms * rms for rms in ImageStat.Stat(difference).rms) / len(im.getbands())
    if mse and 10 * math.log10(255 * 255 / mse) < PALETTE_MIN_PSNR:
        return None
    areas = difference.reduce(8) if min(difference.size) >= 8 else difference
    if max(high for _, high in areas.getextrema()) > PALETTE_MAX_AREA_ERROR:
        return None
    return palette
