"""Create new knowledge bases and new contact files."""

from __future__ import annotations

import json
import math
import shutil
import string
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from netkb.core.references import slug_key
from netkb.core.slugs import MAX_SLUG, make_slug
from netkb.core.write import OutsideKnowledgeBase, create_file
from netkb.load.frontmatter import read_document
from netkb.load.loader import PEOPLE_DIR, markdown_files
from netkb.load.settings import ConfigLoader

KB_FOLDERS = ("contacts", "log", "orgs", "templates")


class ScaffoldError(Exception):
    """A scaffold request that cannot be carried out; the message says why."""


def _data(name: str) -> str:
    return resources.files("netkb").joinpath("data", "kb", name).read_text(encoding="utf-8")


def yaml_text(text: str) -> str:
    """``text`` as a one-line double-quoted YAML scalar that reads back as exactly ``text``:
    quotes, ``#``, ``: ``, newlines and control characters are escaped, nothing folds."""
    dumped = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=math.inf
    )
    return dumped.rstrip("\n")


def kb_files(owner: str) -> dict[str, str]:
    """The files of a fresh knowledge base, by relative path."""
    if not owner.strip():
        raise ScaffoldError("the owner's name is empty; give it with --owner")
    try:
        owner.encode("utf-8")
    except UnicodeEncodeError:
        raise ScaffoldError("the owner's name is not valid text (UTF-8)") from None
    site_name = f"{owner}'s network"
    config = string.Template(_data("mkdocs.yml")).substitute(
        site_name=yaml_text(site_name), owner=yaml_text(owner)
    )
    # Read back what we are about to write: mkdocs.yml must hold exactly these names.
    written = yaml.load(config, Loader=ConfigLoader)
    if written["site_name"] != site_name or written["extra"]["netkb"]["owner"] != owner:
        raise ScaffoldError(f"cannot write the owner's name {owner!r} safely into mkdocs.yml")
    return {
        "mkdocs.yml": config,
        ".gitignore": _data("gitignore"),
        "templates/README.md": _data("templates-README.md"),
        "contacts/.gitkeep": "",
        "log/.gitkeep": "",
        "orgs/.gitkeep": "",
    }


def init_kb(folder: Path, owner: str) -> list[Path]:
    """Create a knowledge base in ``folder``; refuse if any file it would write exists."""
    files = kb_files(owner)
    tops = dict.fromkeys(name.split("/")[0] for name in (*files, *KB_FOLDERS))
    clashes = [folder / name for name in tops if (folder / name).exists()]
    if clashes:
        shown = ", ".join(str(p) for p in clashes)
        raise ScaffoldError(f"refusing to overwrite what exists: {shown}")
    written = []
    for name, content in files.items():
        create_file(folder / name, content.encode("utf-8"), inside=folder)
        written.append(folder / name)
    if shutil.which("git") and not (folder / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(folder)], check=False)
    return written


def free_slug(root: Path, name: str, taken: set[str] | None = None) -> str:
    """``make_slug(name)``, with -2, -3… when another contact file already has that slug.

    ``taken``: the slug keys in use, for callers making many slugs at once (an
    import); by default they are read from contacts/.
    """
    if taken is None:
        taken = {slug_key(path.stem) for path in markdown_files(root, PEOPLE_DIR, [])}
    base = make_slug(name)
    slug, number = base, 1
    while slug_key(slug) in taken:
        number += 1
        suffix = f"-{number}"
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
    return slug


def contact_text(fields: dict[str, Any]) -> str:
    """A contact file for ``fields``, quoted so YAML reads back exactly these values."""
    lines = []
    for key, value in fields.items():
        if key == "phone":
            # Always quoted: an unquoted +49… would be read as a number.
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
        elif isinstance(value, list):
            flow = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000)
            lines.append(f"{key}: {flow.strip()}\n")
        else:
            lines.append(yaml.safe_dump({key: value}, allow_unicode=True, width=1000))
    return "---\n" + "".join(lines) + "---\n"


def new_contact(root: Path, fields: dict[str, Any], folder: str = "") -> Path:
    """Write ``contacts/[folder/]<slug>.md`` for ``fields``; never overwrites."""
    slug = free_slug(root, fields["name"])
    base = (root / PEOPLE_DIR / folder).resolve()
    if not base.is_relative_to((root / PEOPLE_DIR).resolve()):
        raise ScaffoldError(f"{folder} is not a folder inside {PEOPLE_DIR}/")
    path = base / f"{slug}.md"
    text = contact_text(fields)
    # Read back what we are about to write: it must load as exactly these fields.
    doc = read_document(path, text.encode("utf-8"))
    if doc.problems or doc.meta != fields:
        raise ScaffoldError(f"cannot write these fields safely: {doc.problems or doc.meta}")
    try:
        create_file(path, text.encode("utf-8"), inside=root)
    except FileExistsError:
        raise ScaffoldError(f"{path} exists; netkb never overwrites a contact") from None
    except OutsideKnowledgeBase as exc:
        raise ScaffoldError(f"{exc}; nothing was written") from None
    return path
