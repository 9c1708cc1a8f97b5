"""What Jekyll reads: the site's files, `_config.yml`, front matter, Liquid and links."""

from .config import NavRules, SiteConfig, load_config
from .files import SourceFile, site_file
from .links import LinkResolver, Target, TargetKind
from .pages import Page, load_pages

__all__ = [
    "LinkResolver",
    "NavRules",
    "Page",
    "SiteConfig",
    "SourceFile",
    "Target",
    "TargetKind",
    "load_config",
    "load_pages",
    "site_file",
]
