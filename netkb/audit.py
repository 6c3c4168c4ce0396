"""Check a built site before anyone opens it: nothing loaded from another host, robots kept out."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# A tag that makes the browser fetch something by itself, with an absolute or
# protocol-relative URL. Links (<a href>) are navigation, not loads, and are fine.
_EXTERNAL_LOAD = re.compile(
    rb"<(script|link|img|iframe|frame|source|video|audio|embed|object|track|input|image|use)\b"
    rb"[^>]*?\s(?:src|href|srcset|data|poster|xlink:href)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
_CSS_EXTERNAL = re.compile(rb"(?:url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"'](?:https?:)?//)")
_ROBOTS = re.compile(rb"<meta\s+name=\"robots\"\s+content=\"noindex,\s*nofollow\"", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    message: str

    def format(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        return f"{shown}: {self.message}"


def audit_site(site_dir: Path, allowed: tuple[str, ...] = ()) -> list[Finding]:
    """Every page that loads from another host or lacks the robots tag; every stray file."""
    findings: list[Finding] = []
    for current, _dirs, names in os.walk(site_dir):
        for name in names:
            path = Path(current, name)
            suffix = path.suffix.lower()
            if suffix == ".html":
                data = path.read_bytes()
                match = _EXTERNAL_LOAD.search(data)
                if match:
                    findings.append(Finding(path, f"loads from another host: {_tag(data, match)}"))
                if name != "404.html" and not _ROBOTS.search(data):
                    findings.append(Finding(path, "has no robots noindex,nofollow meta tag"))
            elif suffix == ".css":
                match = _CSS_EXTERNAL.search(path.read_bytes())
                if match:
                    findings.append(Finding(path, "stylesheet loads from another host"))
            elif suffix in {".csv", ".vcf", ".md", ".yml", ".yaml"} and not any(
                str(path).endswith(a) for a in allowed
            ):
                findings.append(Finding(path, f"{suffix} file does not belong in the site"))
    return findings


def _tag(data: bytes, match: re.Match[bytes]) -> str:
    """The offending tag on one line, for a message that fits a terminal."""
    end = data.find(b">", match.end(), match.end() + 200)
    tag = data[match.start() : end + 1 if end != -1 else match.end() + 40]
    return " ".join(tag.decode("utf-8", "replace").split()) + ("" if end != -1 else "…")
