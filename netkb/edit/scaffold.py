"""Create new knowledge bases, contact files and organisation files."""

from __future__ import annotations

import difflib
import json
import math
import shutil
import string
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from netkb import __version__
from netkb.core.identity import Lookalike, PossibleDuplicate, as_list, possible_duplicates
from netkb.core.records import Network
from netkb.core.references import Index, organisation_key, slug_key
from netkb.core.slugs import MAX_SLUG, make_slug
from netkb.core.write import OutsideKnowledgeBase, create_file
from netkb.load.frontmatter import read_document
from netkb.load.loader import ORGS_DIR, PEOPLE_DIR, load, markdown_files
from netkb.load.settings import ConfigLoader

KB_FOLDERS = ("contacts", "log", "orgs", "templates")
# Where a KB's pre-commit hook and CI install netkb from: the one place to change it.
# netkb has no public address yet; this placeholder (a reserved, never resolving
# domain) says so, and the README tells the user what to put instead.
NETKB_REPOSITORY = "https://netkb-repository.invalid/netkb.git"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
# ``netkb init --ci``: the workflow file each CI service reads, and its template.
CI_FILES = {
    "github": (".github/workflows/netkb.yml", "github-workflow.yml"),
    "gitlab": (".gitlab-ci.yml", "gitlab-ci.yml"),
}


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
        PRE_COMMIT_CONFIG: string.Template(_data("pre-commit-config.yaml")).substitute(
            repository=NETKB_REPOSITORY, rev=f"v{__version__}"
        ),
        "templates/README.md": _data("templates-README.md"),
        "contacts/.gitkeep": "",
        "log/.gitkeep": "",
        "orgs/.gitkeep": "",
    }


def ci_file(service: str) -> tuple[str, str]:
    """``(path, text)`` of the workflow that checks and builds a KB on every push with
    ``service`` (github, gitlab); the site is kept as a build artifact, never published."""
    path, template = CI_FILES[service]
    install = f"netkb @ git+{NETKB_REPOSITORY}@v{__version__}"
    return path, string.Template(_data(template)).substitute(install=install)


def init_kb(folder: Path, owner: str, ci: str | None = None) -> list[Path]:
    """Create a knowledge base in ``folder`` (with the CI workflow of ``ci``, if given);
    refuse if any file it would write exists."""
    files = kb_files(owner)
    tops = dict.fromkeys(name.split("/")[0] for name in (*files, *KB_FOLDERS))
    clashes = [folder / name for name in tops if (folder / name).exists()]
    if ci is not None:
        workflow, text = ci_file(ci)
        files[workflow] = text  # .github/ may exist already: only the file must not
        clashes += [folder / workflow] if (folder / workflow).exists() else []
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
    _write_new(root, path, fields, f"{path} exists; netkb never overwrites a contact")
    return path


def _write_new(root: Path, path: Path, fields: dict[str, Any], exists: str) -> None:
    """Create ``path`` holding ``fields`` as front matter, atomically, never over a file."""
    text = contact_text(fields)
    # Read back what we are about to write: it must load as exactly these fields.
    doc = read_document(path, text.encode("utf-8"))
    if doc.problems or doc.meta != fields:
        raise ScaffoldError(f"cannot write these fields safely: {doc.problems or doc.meta}")
    try:
        create_file(path, text.encode("utf-8"), inside=root)
    except FileExistsError:
        raise ScaffoldError(exists) from None
    except OutsideKnowledgeBase as exc:
        raise ScaffoldError(f"{exc}; nothing was written") from None


def new_organisation(root: Path, name: str, aliases: list[str] | None = None) -> Path:
    """Write ``orgs/<slug>.md`` for an organisation named ``name``; never overwrites, and
    refuses a name (or alias) an orgs/ file already holds, by the organisation matcher."""
    if not name.strip():
        raise ScaffoldError("an organisation needs a name")
    folder = root / ORGS_DIR
    known = Index({}, load(root, folders=(ORGS_DIR,)).organisations)
    for spelling in (name, *(aliases or [])):
        existing = known.organisation_named(spelling)
        if existing is not None:
            path = known.organisations[existing].source.path
            raise ScaffoldError(
                f"{spelling!r} is already an organisation: {path.relative_to(root)}; "
                "edit that file instead"
            )
    # Named without the legal form, as people say it: orgs/globex-software.md.
    slug = make_slug(organisation_key(name)) or make_slug(name)
    path = folder / f"{slug}.md"
    fields: dict[str, Any] = {"name": name.strip()}
    if aliases:
        fields["aliases"] = [alias.strip() for alias in aliases if alias.strip()]
    _write_new(root, path, fields, f"{path.relative_to(root)} exists; netkb never overwrites it")
    return path


def contact_duplicates(
    network: Network, fields: dict[str, Any], slug: str
) -> list[PossibleDuplicate]:
    """The people a new contact with ``fields`` (to be ``slug``) may already be, by the
    rule ``check`` and every import apply (``possible_duplicates``)."""

    def texts(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in as_list(fields.get(key)) if isinstance(v, str))

    newcomer = Lookalike(
        slug,
        str(fields["name"]),
        fields.get("organization"),
        texts("aliases"),
        texts("email"),
        texts("links"),
        texts("distinct_from"),
    )
    people = [Lookalike.of(person) for person in network.people.values()]
    index = Index(network.people, network.organisations)
    return [d for d in possible_duplicates([*people, newcomer], index) if d.second == slug]


def close_organisation(network: Network, name: str) -> str | None:
    """A known organisation's spelling that ``name`` probably means, when ``name`` itself
    is no organisation yet: one is the other plus more words ("Globex" / "Globex
    Software GmbH"), or the names are close (a typo). None when ``name`` is known."""
    index = Index(network.people, network.organisations)
    spellings = [n for org in network.organisations.values() for n in (org.name, *org.aliases)]
    spellings += [p.organization for p in network.people.values() if p.organization]
    if any(index.same_organisation(name, known) for known in spellings):
        return None
    by_key: dict[str, str] = {}
    for known in spellings:
        by_key.setdefault(organisation_key(known), known)
    key = organisation_key(name)
    words = key.split()
    for other, spelling in by_key.items():
        theirs = other.split()
        shorter, longer = sorted((words, theirs), key=len)
        if shorter and longer[: len(shorter)] == shorter:
            return spelling
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.8)
    return by_key[close[0]] if close else None
