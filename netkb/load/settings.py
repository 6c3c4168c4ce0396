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
    """Safe loading that tolerates MkDocs' own tags (!ENV, !!python/name:…) as opaque values."""


def _opaque(loader: Any, suffix: str, node: yaml.Node) -> None:
    return None


ConfigLoader.add_multi_constructor("!", _opaque)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _opaque)


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
        config = yaml.load(text, Loader=ConfigLoader)
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
