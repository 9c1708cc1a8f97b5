"""Pictures drawn for tests: what real sites show, made here."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont


def screenshot(size: tuple[int, int] = (1400, 1000)) -> Image.Image:
    """A screenshot: a few colours, antialiased text (thousands of shades at its edges)."""
    screen = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(screen)
    font = ImageFont.load_default(size=15)
    draw.rectangle((0, 0, size[0], 50), fill=(33, 37, 41))
    draw.rectangle((60, 120, size[0] - 60, size[1] - 60), fill=(245, 245, 245))
    colours = [(33, 37, 41), (13, 110, 253), (25, 135, 84), (220, 53, 69)]
    for n, y in enumerate(range(130, size[1] - 80, 22)):
        draw.text((80 + (n % 3) * 7, y), f"{n:03} lakectl commit main --message 'step {n}' "
                  "Repositories / quickstart / Uncommitted changes " * 2,
                  fill=colours[n % 4], font=font)
    return screen
