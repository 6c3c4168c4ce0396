"""Builders turn the generated Markdown folder into a static site. MkDocs is the one we ship.

The interface is deliberately small — a config file in, a site folder out — so
another builder that reads the same mkdocs.yml (Zensical) can be added beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import yaml

from netkb.records import Settings
from netkb.settings import _ConfigLoader

# What netkb's pages need from MkDocs when mkdocs.yml does not say it itself.
NAV = [
    {"Home": "index.md"},
    {"People": "people.md"},
    {"Organisations": "organisations.md"},
    {"Expertise": "expertise.md"},
    {"Tags": "tags.md"},
    {"Circles": "circles.md"},
    {"Journal": "journal.md"},
]
NOT_IN_NAV = "\n".join(
    f"/{folder}/"
    for folder in ("people", "orgs", "expertise", "tags", "circles", "journal", "letters")
)
OVERRIDES_DIR = ".netkb/overrides"


class BuildError(Exception):
    """The builder failed; the message says why in the user's terms."""


class Builder(Protocol):
    name: str

    def build(self, config_file: Path, *, dirty: bool = False) -> Path:
        """Build the site described by ``config_file``; return the site folder."""
        ...


def raw_config(config_file: Path) -> dict[str, Any]:
    loaded = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_ConfigLoader)
    return loaded if isinstance(loaded, dict) else {}


def config_overrides(config_file: Path) -> dict[str, Any]:
    """Settings netkb enforces on top of mkdocs.yml: a small nav and the privacy switches."""
    raw = raw_config(config_file)
    overrides: dict[str, Any] = {}
    # netkb writes its pages where Settings says; MkDocs must read them from there too.
    if "docs_dir" not in raw:
        overrides["docs_dir"] = Settings().docs_dir
    if not raw.get("nav"):
        overrides["nav"] = NAV
    if not raw.get("not_in_nav"):
        overrides["not_in_nav"] = NOT_IN_NAV
    theme = raw.get("theme")
    theme = dict(theme) if isinstance(theme, dict) else {"name": theme or "material"}
    theme["font"] = False  # no Google Fonts
    theme.setdefault("custom_dir", OVERRIDES_DIR)
    overrides["theme"] = theme
    extra = raw.get("extra") if isinstance(raw.get("extra"), dict) else {}
    overrides["extra"] = {**extra, "generator": False}
    return overrides


@contextmanager
def _quiet_mkdocs(messages: list[str]) -> Iterator[None]:
    """Collect MkDocs' warnings instead of letting them go to the terminal unformatted."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    handler = Collect(logging.WARNING)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


class MkDocsBuilder:
    """MkDocs + Material, run in-process."""

    name = "mkdocs"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def load(self, config_file: Path) -> Any:
        from mkdocs.config import load_config

        try:
            return load_config(config_file=str(config_file), **config_overrides(config_file))
        except Exception as exc:  # MkDocs raises its own and YAML errors: report them all
            raise BuildError(self._explain(f"{config_file}: {exc}")) from exc

    def build(self, config_file: Path, *, dirty: bool = False) -> Path:
        from mkdocs.commands.build import build
        from mkdocs.exceptions import MkDocsException

        self.warnings = []
        with _quiet_mkdocs(self.warnings):
            config = self.load(config_file)
            try:
                build(config, dirty=dirty)
            except (MkDocsException, OSError) as exc:
                raise BuildError(self._explain(f"MkDocs could not build the site: {exc}")) from exc
        return Path(config["site_dir"])

    def _explain(self, message: str) -> str:
        """``message`` followed by what MkDocs logged: its exception alone often says only
        "Aborted with a configuration error!"."""
        return "\n  ".join([message, *self.warnings])
