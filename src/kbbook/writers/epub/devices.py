"""What each kind of reader needs from the EPUB (`--device`).

The figures are the readers' own: the screens of 6 to 8 inch e-readers (Kobo Clara
1072x1448, Libra 1264x1680, Kindle Paperwhite 1236x1648) and tablets (2048 px and more),
Send to Kindle's limits (50 MB by e-mail, 200 MB through the app and the web page), and what
an e-ink screen can show (16 greys, no colour). The handbook's page on devices says why
each one is as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import KbbookError
from ...site import SiteConfig
from .images import ImageTarget

MB = 1024 * 1024


@dataclass(frozen=True)
class Device:
    """The EPUB's settings for one kind of reader."""

    name: str
    """As `--device` names it."""
    summary: str
    """One line for `--help` and the handbook."""
    image_long_side: int
    """Images larger than this on their long side are scaled down (unless `_config.yml`
    sets `kbbook.image_max_size`)."""
    image_budget: int
    """Bytes an image may take; a larger one is re-encoded (lower JPEG quality, fewer
    colours), then scaled down, until it fits."""
    greyscale: bool = False
    """Images in greys, code highlighted with type styles instead of colours, no tinted
    text: an e-ink screen shows nothing else, and colour images cost space for nothing."""
    kepub: bool = False
    """A Kobo EPUB (`.kepub.epub`): the `koboSpan` markup Kobo's own engine uses for page
    turns, reading statistics and highlights."""
    book_limit: int | None = None
    """A book larger than this is reported: the reader's service would refuse it."""

    @property
    def suffix(self) -> str:
        """The file name ending of the book."""
        return ".kepub.epub" if self.kepub else ".epub"


DEVICES = {
    device.name: device for device in (
        Device("default", "any reader: colour images up to 1600 px, each under 1 MB",
               1600, 1 * MB),
        Device("tablet", "tablets and phones (Apple Books, Google Play Books): colour, "
               "images up to 2048 px", 2048, 2 * MB),
        Device("kobo", "Kobo e-readers: a Kobo EPUB (.kepub.epub), images up to 1680 px",
               1680, 800_000, kepub=True),
        Device("kindle", "Send to Kindle: images up to 1600 px, the book under Send to "
               "Kindle's 50 MB e-mail limit", 1600, 800_000, book_limit=50 * MB),
        Device("eink", "any e-ink reader: images in greys up to 1448 px, code in type "
               "styles, no colour", 1448, 400_000, greyscale=True),
    )
}
DEFAULT = DEVICES["default"]


def device_named(name: str | Device) -> Device:
    """The device `--device` names; a name kbbook does not know is a usage error."""
    if isinstance(name, Device):
        return name
    try:
        return DEVICES[name]
    except KeyError:
        raise KbbookError(f"--device {name!r}: kbbook knows {', '.join(DEVICES)}",
                          exit_code=2) from None


def image_target(config: SiteConfig, device: Device) -> ImageTarget:
    """How the book's images are prepared: `kbbook.image_max_size` wins over the device."""
    return ImageTarget(config.book.image_max_size or device.image_long_side, device.greyscale,
                       device.image_budget, config.book.image_palette)
