"""The real installed command in a subprocess: init, new, check, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def netkb(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "netkb", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_init_new_check_with_the_real_command(tmp_path):
    created = netkb(tmp_path, "init", "network", "--owner", "Pablo Valle")
    assert created.returncode == 0, created.stderr
    kb = tmp_path / "network"

    first = netkb(kb, "new", "Zoë Müller", "--org", "Globex", "--phone", "+49 30 1234")
    second = netkb(kb / "contacts", "new", "Zoë Müller", "--tag", "NO", "--distinct")
    assert (first.returncode, first.stdout) == (0, "contacts/zoe-muller.md\n")
    assert (second.returncode, second.stdout) == (0, "zoe-muller-2.md\n")

    clean = netkb(kb, "check", "--strict")
    assert (clean.returncode, clean.stdout) == (
        0,
        "2 people, 1 organisation (0 files), 0 interactions: 0 errors, 0 warnings\n",
    )

    (kb / "log/call.md").write_text("---\ndate: 2026-02-30\nwith: zoe-muller\n---\n")
    (kb / "log/lunch.md").write_text(
        "---\ndate: 2026-02-03\nwith: [zoe-muller, zoe-muler]\n---\nWith [[Zoë Müller]].\n",
        encoding="utf-8",
    )
    broken = netkb(kb, "check")
    assert broken.returncode == 1
    assert broken.stdout.splitlines() == [
        "log/call.md:2:7: error NK122: date 2026-02-30 is not a real calendar date",
        "log/lunch.md:3:20: error NK140: with: no person has the slug 'zoe-muler'; "
        "did you mean 'zoe-muller'?",
        "log/lunch.md:5:6: warning NK142: [[Zoë Müller]] could be any of: zoe-muller-2, "
        "zoe-muller; link by slug instead",
        "2 people, 1 organisation (0 files), 1 interaction: 2 errors, 1 warning",
    ]

    as_json = netkb(tmp_path, "--kb", "network", "check", "--format", "json")
    assert as_json.returncode == 1
    assert [p["code"] for p in json.loads(as_json.stdout)] == ["NK122", "NK140", "NK142"]

    usage = netkb(tmp_path, "check")
    assert usage.returncode == 2
    assert "Error: no knowledge base at or above" in usage.stderr

    again = netkb(tmp_path, "init", "network")
    assert again.returncode == 1
    assert again.stderr == (
        "Error: refusing to overwrite what exists: network/mkdocs.yml, network/.gitignore, "
        "network/.pre-commit-config.yaml, network/templates, network/contacts, network/log, "
        "network/orgs\n"
    )
