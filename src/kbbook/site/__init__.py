"""What Jekyll reads: the site's files, `_config.yml`, front matter, Liquid and links."""

from .collections import CollectionSpec, SidebarCollection
from .config import ExternalLink, NavRules, SiteConfig, load_config
from .files import SourceFile, site_file
from .links import LinkResolver, Target, TargetKind
from .pages import Page, PageKind, load_pages
from .plugins import BuildMode

__all__ = [
    "BuildMode",
    "CollectionSpec",
    "ExternalLink",
    "LinkResolver",
    "NavRules",
    "Page",
    "PageKind",
    "SidebarCollection",
    "SiteConfig",
    "SourceFile",
    "Target",
    "TargetKind",
    "load_config",
    "load_pages",
    "site_file",
]
