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
    """Safe loading that reads MkDocs' own tags (!ENV, !relative, !!python/…) as opaque
    values; ``code_in_config`` finds the Python tags, wherever they are."""


def _opaque(loader: Any, suffix: str, node: yaml.Node) -> None:
    return None


ConfigLoader.add_multi_constructor("!", _opaque)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _opaque)

# Top-level settings MkDocs would run code with, whatever their value (an !ENV default
# too): hooks are Python files it imports; INHERIT reads another file, unchecked.
CODE_SETTINGS = ("hooks", "INHERIT")
# Plugins that read nothing but the generated pages (material/projects reads more
# mkdocs.yml files, unsafely; others fetch from the network at build time).
PLUGINS = frozenset({"search", "material/search", "tags", "material/tags", "offline"})
PYTHON = "tag:yaml.org,2002:python/"
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
_NEVER = "netkb never runs code that comes with the knowledge base (a pull request could add it)"


def load_config_text(text: str) -> Any:
    """mkdocs.yml's data, tags read as opaque values (None)."""
    return yaml.load(text, Loader=ConfigLoader)


def code_in_config(text: str) -> list[tuple[int, int, str]]:
    """Where mkdocs.yml (its ``text``) would make MkDocs run code that comes with the
    knowledge base, as (line, column, message), 1-based. MkDocs reads mkdocs.yml with
    PyYAML's unsafe loader: a ``!!python/…`` tag at any depth, even inside another tag
    (``!ENV [X, !!python/object/apply:os.system …]``), runs Python; ``hooks`` imports
    files; ``INHERIT`` reads another file unchecked; a plugin outside ``PLUGINS`` may
    read more. The document is composed, not constructed, so nothing is built to check."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []  # read_settings reports it, and MkDocs is never given the file
    found: list[tuple[int, int, str]] = []

    def at(node: yaml.Node, message: str) -> None:
        found.append((node.start_mark.line + 1, node.start_mark.column + 1, message))

    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        tag = node.tag or ""
        if tag.startswith(PYTHON) and tag.removeprefix(PYTHON + "name:") not in PYTHON_NAMES:
            at(
                node,
                f"!!python/{tag.removeprefix(PYTHON)} makes MkDocs run Python named in "
                f"mkdocs.yml; {_NEVER}: delete it (!!python/name: may name the emoji, fence "
                "and slug functions of Material, pymdownx and Python-Markdown)",
            )
        if isinstance(node, yaml.SequenceNode):
            todo += node.value
        elif isinstance(node, yaml.MappingNode):
            todo += [part for pair in node.value for part in pair]
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in CODE_SETTINGS:
                at(
                    key,
                    f"{name}: MkDocs would run or read more than mkdocs.yml with it; "
                    f"{_NEVER}: delete the setting",
                )
            elif name == "plugins":
                for plugin in _plugin_names(value):
                    if plugin is None or plugin.value not in PLUGINS:
                        where = plugin or value
                        shown = plugin.value if plugin else "this value"
                        at(
                            where,
                            f"plugin {shown}: netkb builds with the plugins "
                            f"{', '.join(sorted(PLUGINS))} only; {_NEVER}",
                        )
    return sorted(found)


def _plugin_names(node: yaml.Node) -> list[yaml.ScalarNode | None]:
    """The name of each plugin a ``plugins`` value lists (None: not a plain name)."""
    if isinstance(node, yaml.SequenceNode):
        items = node.value
    elif isinstance(node, yaml.MappingNode):
        items = [key for key, _value in node.value]
    else:
        return [None]
    names: list[yaml.ScalarNode | None] = []
    for item in items:
        if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            item = item.value[0][0]  # - search: {options}
        plain = isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str"
        names.append(item if plain else None)
    return names


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
        config = load_config_text(text)
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
    for line, column, message in code_in_config(text):
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
