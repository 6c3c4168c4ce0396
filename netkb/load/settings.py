"""Read netkb's settings from ``mkdocs.yml`` → ``extra.netkb`` (DESIGN.md §5)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from netkb.core.problems import Problem, error
from netkb.core.records import DEFAULT_CADENCE_BY_CIRCLE, REDACTABLE, Cadence, Settings
from netkb.load.cadence import parse_cadence
from netkb.load.calendar_settings import read_calendar_settings
from netkb.load.frontmatter import nesting_ok, unusable_character


class ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loading that tolerates MkDocs' own tags (!ENV, !relative) as opaque values and
    notes where a Python tag is (``python_tags``): ``code_in_config`` refuses those."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.python_tags: list[tuple[int, int, str]] = []  # (line, column, tag), 1-based


def _opaque(loader: Any, suffix: str, node: yaml.Node) -> None:
    return None


def _python(loader: ConfigLoader, suffix: str, node: yaml.Node) -> None:
    mark = node.start_mark
    loader.python_tags.append((mark.line + 1, mark.column + 1, f"!!python/{suffix}"))


ConfigLoader.add_multi_constructor("!", _opaque)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _python)

# What MkDocs would run from the knowledge base's own files: a pull request could add it.
CODE_SETTINGS = ("hooks",)
# The functions Material's and Python-Markdown's documentation name with !!python/name:
# (emoji, fences, slugs). They are looked up by name, never called by the YAML reader;
# any other Python tag is refused.
PYTHON_NAMES = frozenset(
    {f"material.extensions.emoji.{name}" for name in ("twemoji", "to_svg")}
    | {
        f"pymdownx.emoji.{name}"
        for name in ("twemoji", "gemoji", "emojione", "to_svg", "to_png", "to_alt")
    }
    | {f"pymdownx.superfences.{name}" for name in ("fence_code_format", "fence_div_format")}
    | {
        f"pymdownx.arithmatex.{name}"
        for name in ("arithmatex_fenced_format", "arithmatex_inline_format")
    }
    | {f"pymdownx.slugs.{name}" for name in ("slugify", "uslugify", "uslugify_encoded", "gfm")}
    | {f"markdown.extensions.toc.{name}" for name in ("slugify", "slugify_unicode")}
)


def load_config_text(text: str) -> tuple[Any, list[tuple[int, int, str]]]:
    """mkdocs.yml's data (Python tags as None) and where each Python tag is."""
    loader = ConfigLoader(text)
    try:
        return loader.get_single_data(), loader.python_tags
    finally:
        loader.dispose()


def code_in_config(
    text: str, data: Any, tags: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Where mkdocs.yml (its ``text``, and ``data`` and ``tags`` as ``load_config_text``
    read it) would make MkDocs run code that comes with the knowledge base: a
    ``!!python/…`` tag (MkDocs reads mkdocs.yml with PyYAML's unsafe loader:
    ``!!python/object/apply:os.system [...]`` runs a command, ``!!python/name:`` imports
    a module, from the KB's own folder too), or ``hooks`` (Python files MkDocs imports).
    (line, column, message) each, 1-based."""
    found = [
        (
            line,
            column,
            f"{tag} makes MkDocs run Python named in mkdocs.yml; netkb never runs code "
            "that comes with the knowledge base (a pull request could add it): delete it "
            "(!!python/name: may name the emoji, fence and slug functions of Material, "
            "pymdownx and Python-Markdown)",
        )
        for line, column, tag in tags
        if tag.removeprefix("!!python/name:") not in PYTHON_NAMES
    ]
    if isinstance(data, dict):
        for key in CODE_SETTINGS:
            if data.get(key):
                found.append(
                    (
                        _line_of(text, key),
                        1,
                        f"{key}: MkDocs would import and run these Python "
                        "files; netkb never runs code that comes with the knowledge base (a pull "
                        "request could add it): delete the setting",
                    )
                )
    return sorted(found)


def read_settings(config_path: Path) -> tuple[Settings, list[Problem]]:
    """Settings from mkdocs.yml; defaults and located problems for anything unusable."""
    problems: list[Problem] = []
    try:
        text = config_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(error(config_path, 1, 1, "NK161", f"cannot read mkdocs.yml: {exc}"))
        return Settings(), problems
    odd = unusable_character(text)
    if odd is not None:
        line, column, name = odd
        message = f"character {name} is not allowed in mkdocs.yml; delete it"
        problems.append(error(config_path, line + 1, column, "NK161", message))
        return Settings(), problems
    try:
        if not nesting_ok(text, config_path, 1, problems):
            return Settings(), problems
        config, tags = load_config_text(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(error(config_path, line, column, "NK161", f"YAML error: {exc.problem}"))
        return Settings(), problems
    except yaml.YAMLError as exc:
        problems.append(
            error(config_path, 1, 1, "NK161", f"YAML error: {' '.join(str(exc).split())}")
        )
        return Settings(), problems
    for line, column, message in code_in_config(text, config, tags):
        problems.append(error(config_path, line, column, "NK162", message))
    if not isinstance(config, dict):
        problems.append(error(config_path, 1, 1, "NK161", "mkdocs.yml must be a mapping"))
        return Settings(), problems

    def fail(key: str, message: str) -> None:
        line = _line_of(text, key)
        problems.append(error(config_path, line, 1, "NK160", message))

    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    netkb = extra.get("netkb") or {}
    if not isinstance(netkb, dict):
        fail("netkb", "extra.netkb must be a mapping of settings")
        netkb = {}
    values: dict[str, Any] = {}
    owner = netkb.get("owner")
    if owner is not None:
        if isinstance(owner, str) and owner.strip():
            values["owner"] = owner.strip()
        else:
            fail("owner", "extra.netkb.owner must be your name, as text")
    hours = netkb.get("work_hours_per_week")
    if hours is not None:
        if _is_number(hours) and 0 < hours <= 168:
            values["work_hours_per_week"] = float(hours)
        else:
            fail("work_hours_per_week", "work_hours_per_week must be a number of hours, 1 to 168")
    share = netkb.get("networking_share")
    if share is not None:
        if _is_number(share) and 0 < share <= 1:
            values["networking_share"] = float(share)
        else:
            fail("networking_share", "networking_share must be a fraction such as 0.05 (5%)")
    by_circle = netkb.get("cadence_by_circle")
    if by_circle is not None:
        cadences: dict[int, Cadence | None] = dict(DEFAULT_CADENCE_BY_CIRCLE)
        if not isinstance(by_circle, dict):
            fail("cadence_by_circle", "cadence_by_circle must map a circle (1-5) to an interval")
        else:
            for circle, cadence in by_circle.items():
                parsed = parse_cadence(cadence) if isinstance(cadence, str) else None
                if circle not in cadences or isinstance(circle, bool):
                    fail("cadence_by_circle", f"cadence_by_circle: {circle!r} is not a circle 1-5")
                elif cadence is None:
                    cadences[circle] = None
                elif parsed is None:
                    fail(
                        "cadence_by_circle",
                        f"cadence_by_circle.{circle}: {cadence!r} is not an interval like 30d",
                    )
                else:
                    cadences[circle] = parsed
        values["cadence_by_circle"] = cadences
    redact = netkb.get("redact")
    if redact is not None:
        chosen = [redact] if isinstance(redact, str) else redact
        if not isinstance(chosen, list) or not all(isinstance(n, str) for n in chosen):
            fail("redact", f"redact must be a list of: {', '.join(REDACTABLE)}")
        else:
            unknown = [n for n in chosen if n not in REDACTABLE]
            if unknown:
                fail(
                    "redact",
                    f"redact: {', '.join(map(repr, unknown))} cannot be redacted; "
                    f"choose from {', '.join(REDACTABLE)}",
                )
            values["redact"] = tuple(dict.fromkeys(n for n in chosen if n in REDACTABLE))
    retention = netkb.get("retention")
    if retention is not None:
        period = parse_cadence(retention) if isinstance(retention, str) else None
        if period is None:
            fail("retention", "retention must be a period such as 3y, 18m or 26w")
        else:
            values["retention"] = period
    values.update(read_calendar_settings(netkb, fail))
    if isinstance(config.get("site_name"), str):
        values["site_name"] = config["site_name"]
    for key in ("docs_dir", "site_dir"):
        if isinstance(config.get(key), str):
            values[key] = config[key]
    site_url = config.get("site_url")
    if isinstance(site_url, str) and site_url.startswith(("https://", "http://")):
        values["site_url"] = site_url
    if isinstance(config.get("use_directory_urls"), bool):
        values["use_directory_urls"] = config["use_directory_urls"]
    return Settings(**values), problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^\s*{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1
