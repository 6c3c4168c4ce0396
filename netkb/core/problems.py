"""Problems found in a knowledge base: located, coded, never raised."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from netkb.core.terminal import visible


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


# Stable codes. Never renumber: scripts and editors may match on them.
CODES: dict[str, str] = {
    # files
    "NK101": "file is not valid UTF-8",
    "NK102": "file contains NUL bytes",
    "NK103": "no front matter",
    "NK104": "front matter is not closed",
    "NK105": "file is empty",
    "NK106": "file is too large",
    "NK107": "symlink points outside the knowledge base",
    "NK108": "file cannot be read",
    "NK109": "symlinked folder is not followed",
    # YAML
    "NK110": "YAML syntax error",
    "NK111": "tab used for indentation",
    "NK112": "YAML anchors and aliases are not allowed",
    "NK113": "YAML tag is not allowed",
    "NK114": "duplicate key",
    "NK115": "front matter is not a mapping",
    "NK116": "key is not text",
    "NK117": "nesting is too deep",
    # fields
    "NK120": "required field is missing",
    "NK121": "value must be text",
    "NK122": "invalid date",
    "NK123": "invalid birthday",
    "NK124": "circle must be 1 to 5",
    "NK125": "invalid cadence",
    "NK126": "value must be a list of text",
    "NK127": "value must be true or false",
    "NK128": "link must be an http(s) URL",
    "NK129": "minutes must be a whole number of minutes",
    "NK130": "favor must be given or received",
    "NK131": "relations must map a type to people",
    "NK132": "invalid email address",
    "NK133": "value must be a mapping",
    "NK134": "date out of range",
    "NK135": "minutes out of range",
    "NK136": "unknown field looks like a known one",
    "NK137": "true or false written as a word",
    # references
    "NK140": "unknown person",
    "NK141": "unresolved wikilink",
    "NK142": "ambiguous wikilink",
    "NK143": "slug collision",
    "NK144": "relation type has no known inverse",
    "NK145": "contradictory relations",
    "NK146": "person refers to themselves",
    "NK147": "file name cannot be part of a page address",
    "NK148": "person listed twice in one interaction",
    "NK150": "possible duplicate person",
    "NK151": "one organisation name is another plus more words",
    # notes
    "NK170": "image in notes is on another host",
    "NK171": "link in notes has a scheme that is not allowed",
    "NK172": "photo is not an image file inside the knowledge base",
    # retention (opt-in: extra.netkb.retention)
    "NK173": "person untouched for longer than the retention period",
    # settings
    "NK160": "invalid setting",
    "NK161": "mkdocs.yml cannot be read",
    "NK162": "mkdocs.yml would run code from the knowledge base",
}


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One located finding. Prints as ``path:line:col: severity CODE: message``."""

    path: Path
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def format(self, relative_to: Path | None = None) -> str:
        # Printed on terminals: a file name or a quoted value must not carry escape codes.
        return (
            f"{visible(display_path(self.path, relative_to))}:{self.line}:{self.column}: "
            f"{self.severity} {self.code}: {visible(self.message)}"
        )

    def as_dict(self, relative_to: Path | None = None) -> dict[str, object]:
        return {
            "path": display_path(self.path, relative_to),
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


# Messages quote the user's text; a line break in it must not split a problem's line.
_one_line = visible


def error(path: Path, line: int, column: int, code: str, message: str) -> Problem:
    return Problem(path, line, column, code, Severity.ERROR, _one_line(message))


def warning(path: Path, line: int, column: int, code: str, message: str) -> Problem:
    return Problem(path, line, column, code, Severity.WARNING, _one_line(message))


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """The path as a user would type it: relative to ``relative_to`` when inside it."""
    if relative_to is not None:
        try:
            return path.relative_to(relative_to).as_posix()
        except ValueError:
            pass
    return str(path)


def sort_key(problem: Problem) -> tuple[str, int, int, str]:
    return (str(problem.path), problem.line, problem.column, problem.code)
