"""Safe edits: only the touched lines change, byte for byte, and a failed write loses nothing.

The golden corpus in tests/data/edit_corpus/ holds odd but valid files (comments,
flow and block lists, quoting, CRLF, a BOM, trailing spaces, ``---`` in the body,
no final newline…). Each is edited as CASES says and compared byte for byte with
its ``.expected.md``. After an intended change of output, rewrite them with

    python -m pytest tests/test_edit.py --update-golden

(or NETKB_UPDATE_GOLDEN=1) and review the diff like any other change.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers_import import REPO, make_kb
from hypothesis import given, settings
from hypothesis import strategies as st

from netkb.edit.edit import DELETE, ChangedOnDisk, EditError, edit_file, edited_bytes, fingerprint
from netkb.edit.merge import relink
from netkb.load.frontmatter import read_document
from netkb.load.loader import load

CORPUS = Path(__file__).resolve().parent / "data" / "edit_corpus"
HISTORY = [{"organization": "Acme", "role": "Engineer", "until": dt.date(2026, 3, 2)}]
CASES: dict[str, dict[str, Any]] = {
    "comments.md": {"role": "CTO", "tags": ["golf", "sailing"]},
    "flow_and_block_lists.md": {
        "email": ["ana@acme.example", "ana@home.example", "ana@new.example"],
        "tags": ["golf", "alumni", "board"],
    },
    "quoting.md": {
        "role": "Lead Designer",
        "location": "Berlin",
        "phone": ["+49 30 1234567", "+4917012"],
    },
    "crlf.md": {"organization": "Globex", "tags": ["consulting", "golf"], "role": "NO"},
    "bom.md": {"circle": 2},
    "trailing_spaces.md": {"role": "Angel investor"},
    "body_with_dashes.md": {"role": "Senior PM"},
    "no_trailing_newline.md": {"tags": ["search", "hr"]},
    "indented_sequences.md": {
        "email": ["carmen@mirador.example", "carmen@home.example"],
        "relations": {"friend": ["marta-ruiz"], "colleague": ["javier-munoz", "lucia-ferreira"]},
    },
    "remove_key.md": {"role": DELETE},
    "blank_lines.md": {"role": "Staff Engineer", "history": HISTORY},
    "block_scalar.md": {"role": "General Partner"},
    "unicode.md": {"aliases": ["Élo", "Zoë"], "location": "Genève"},
    "body_links.md": {"relations": {"friend": ["new-slug"]}},
}


def expected_path(name: str) -> Path:
    return CORPUS / name.replace(".md", ".expected.md")


def edit_case(name: str) -> bytes:
    path = CORPUS / name
    body = (lambda text: relink(text, "old-slug", "new-slug")) if name == "body_links.md" else None
    return edited_bytes(path, path.read_bytes(), CASES[name], body)


def test_every_corpus_file_has_a_case() -> None:
    inputs = {p.name for p in CORPUS.glob("*.md") if not p.name.endswith(".expected.md")}
    assert inputs == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_edit_changes_only_the_lines_it_means_to(
    name: str, request: pytest.FixtureRequest
) -> None:
    after = edit_case(name)
    golden = expected_path(name)
    if request.config.getoption("--update-golden", False) or os.environ.get("NETKB_UPDATE_GOLDEN"):
        golden.write_bytes(after)
    assert after == golden.read_bytes(), f"{name}: see {golden}"
    # And the result reads back as the old values with exactly these changed.
    before = read_document(CORPUS / name).meta
    assert before is not None
    wanted = {k: v for k, v in before.items() if CASES[name].get(k) is not DELETE}
    wanted.update({k: v for k, v in CASES[name].items() if v is not DELETE})
    assert read_document(golden, after).meta == wanted


def test_an_edit_that_changes_nothing_returns_the_same_bytes() -> None:
    path = CORPUS / "comments.md"
    data = path.read_bytes()
    assert edited_bytes(path, data, {"role": "Engineer", "tags": ["golf"]}) is data


def test_a_file_that_does_not_load_is_not_edited() -> None:
    with pytest.raises(EditError, match="cannot edit a file that does not load"):
        edited_bytes(Path("x.md"), b"---\nname: [unclosed\n---\n", {"role": "CTO"})


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_value_reads_back_exactly(value: str) -> None:
    """Whatever the text (NO, 01234, '- x', '#', quotes, newlines…), it reads back as text."""
    path = Path("jane.md")
    data = b"---\nname: Jane  # hi\nrole: x\ntags: [a]\n---\nbody\n"
    after = edited_bytes(path, data, {"role": value, "tags": ["a", value]})
    meta = read_document(path, after).meta
    assert meta == {"name": "Jane", "role": value, "tags": ["a", value]}
    assert after.startswith(b"---\nname: Jane  # hi\n") and after.endswith(b"---\nbody\n")


# -- the write itself ----------------------------------------------------------------------


def jane_kb(tmp_path: Path) -> tuple[Path, Path]:
    root = make_kb(tmp_path / "kb", {"contacts/jane.md": "---\nname: Jane\nrole: Engineer\n---\n"})
    return root, root / "contacts/jane.md"


def test_the_file_keeps_its_permissions(tmp_path: Path) -> None:
    root, path = jane_kb(tmp_path)
    path.chmod(0o600)
    edit_file(root, path, {"role": "CTO"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "---\nname: Jane\nrole: CTO\n---\n"


def test_a_symlinked_file_is_edited_where_it_points(tmp_path: Path) -> None:
    root, path = jane_kb(tmp_path)
    target = root / "contacts/real.md"
    path.rename(target)
    path.symlink_to(target)
    edit_file(root, path, {"role": "CTO"})
    assert path.is_symlink()
    assert target.read_text() == "---\nname: Jane\nrole: CTO\n---\n"


def test_a_plan_made_from_other_bytes_is_refused(tmp_path: Path) -> None:
    root, path = jane_kb(tmp_path)
    planned = fingerprint(path.read_bytes())
    path.write_text("---\nname: Jane\nrole: Designer\n---\n")  # saved in an editor meanwhile
    with pytest.raises(ChangedOnDisk, match="changed on disk after netkb read it"):
        edit_file(root, path, {"role": "CTO"}, expected=planned)
    assert path.read_text() == "---\nname: Jane\nrole: Designer\n---\n"


def test_a_change_between_read_and_rename_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, path = jane_kb(tmp_path)
    import netkb.edit.edit

    real = netkb.edit.edit.edited_bytes

    def and_someone_saves(*args: Any, **kwargs: Any) -> bytes:
        result = real(*args, **kwargs)
        path.write_text("---\nname: Jane\nrole: Saved meanwhile\n---\n")
        return result

    monkeypatch.setattr(netkb.edit.edit, "edited_bytes", and_someone_saves)
    with pytest.raises(ChangedOnDisk):
        edit_file(root, path, {"role": "CTO"})
    assert path.read_text() == "---\nname: Jane\nrole: Saved meanwhile\n---\n"
    assert [p.name for p in path.parent.iterdir()] == ["jane.md"]  # no temp file left


def test_an_exception_before_the_rename_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, path = jane_kb(tmp_path)
    original = path.read_bytes()

    def crash(*args: Any) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(EditError, match="cannot write the file: Input/output error"):
        edit_file(root, path, {"role": "CTO"})
    assert path.read_bytes() == original
    assert [p.name for p in path.parent.iterdir()] == ["jane.md"]


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from netkb.edit.edit import edit_file

def stall(*args):
    Path(sys.argv[3]).write_text("ready")
    time.sleep(60)

os.replace = stall
edit_file(Path(sys.argv[1]), Path(sys.argv[2]), {"role": "CTO", "tags": ["x"] * 1000})
"""


def test_a_process_killed_in_the_middle_of_a_write_leaves_the_original(tmp_path: Path) -> None:
    root, path = jane_kb(tmp_path)
    original = path.read_bytes()
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(root), str(path), str(ready)], cwd=REPO
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ready.exists(), "the writer never reached the rename"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert path.read_bytes() == original
    # The half-done temporary file is a dot-file the loader never reads.
    assert [p.name for p in path.parent.glob("*.md")] == ["jane.md"]
    assert load(root).problems == ()
    edit_file(root, path, {"role": "CTO"})  # and the lock died with the process
    assert path.read_text() == "---\nname: Jane\nrole: CTO\n---\n"
