"""Two netkb processes at once: the KB lock serialises them, nothing is lost or doubled."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers_import import REPO, make_kb, netkb_process

from netkb.edit.lock import LockTimeout, kb_lock
from netkb.load.loader import load


def card(number: int, tag: str) -> str:
    return (
        "BEGIN:VCARD\nVERSION:3.0\n"
        f"FN:Person {number}\nEMAIL:person{number}@example.com\nCATEGORIES:{tag}\n"
        "END:VCARD\n"
    )


def test_overlapping_imports_at_once_create_each_person_once(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    first, second = tmp_path / "a.vcf", tmp_path / "b.vcf"
    first.write_text("".join(card(n, "from-a") for n in range(0, 40)))
    second.write_text("".join(card(n, "from-b") for n in range(20, 60)))
    children = [netkb_process(root, "import", "vcard", str(p), "--apply") for p in (first, second)]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    network = load(root)
    assert network.problems == ()
    emails = [email for person in network.people.values() for email in person.email]
    assert len(emails) == len(set(emails)) == 60
    both = [p for p in network.people.values() if set(p.tags) == {"from-a", "from-b"}]
    assert len(both) == 20  # the overlap got the second import's tag added, not a duplicate


def test_concurrent_updates_of_one_file_all_land(tmp_path: Path) -> None:
    jane = (
        "---\nname: Jane Doe   # keep me\nemail: [jane@example.com]\ntags: [start]\n---\nNotes.\n"
    )
    root = make_kb(tmp_path / "kb", {"contacts/jane-doe.md": jane})
    exports = []
    for tag in ("t1", "t2", "t3", "t4"):
        path = tmp_path / f"{tag}.vcf"
        path.write_text(
            f"BEGIN:VCARD\nVERSION:4.0\nFN:Jane Doe\nEMAIL:jane@example.com\nCATEGORIES:{tag}\n"
            "END:VCARD\n"
        )
        exports.append(path)
    children = [netkb_process(root, "import", "vcard", str(p), "--apply") for p in exports]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0], outputs
    text = (root / "contacts/jane-doe.md").read_text()
    assert text.startswith("---\nname: Jane Doe   # keep me\n") and text.endswith("---\nNotes.\n")
    tags = load(root).people["jane-doe"].tags
    assert tags[0] == "start" and sorted(tags[1:]) == ["t1", "t2", "t3", "t4"]


HOLDER = """
import sys, time
from pathlib import Path
from netkb.edit.lock import kb_lock
with kb_lock(Path(sys.argv[1])):
    Path(sys.argv[2]).write_text("locked")
    time.sleep(float(sys.argv[3]))
"""


def hold_lock(root: Path, tmp_path: Path, seconds: float) -> subprocess.Popen[bytes]:
    ready = tmp_path / "holding"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root), str(ready), str(seconds)], cwd=REPO
    )
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists()
    return holder


def test_a_writer_waits_for_the_lock_and_says_so(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    export = tmp_path / "a.vcf"
    export.write_text(card(1, "x"))
    holder = hold_lock(root, tmp_path, 1.5)
    started = time.monotonic()
    child = netkb_process(root, "import", "vcard", str(export), "--apply")
    _, err = child.communicate(timeout=120)
    holder.wait()
    assert child.returncode == 0, err
    assert "Waiting for another netkb process to finish writing" in err
    assert time.monotonic() - started > 0.5
    assert list(load(root).people) == ["person-1"]


def test_the_lock_gives_up_after_its_timeout(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    holder = hold_lock(root, tmp_path, 3)
    try:
        with (
            pytest.raises(LockTimeout, match="another netkb process has been changing"),
            kb_lock(root, timeout=0.3),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with kb_lock(root, timeout=5), kb_lock(root):  # free again, and it nests
        pass
