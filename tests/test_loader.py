"""Loading a KB from disk: finding it, walking its folders, symlinks, settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from textwrap import dedent

import pytest

from netkb.core.records import Cadence, Settings
from netkb.load.cache import MemoryCache
from netkb.load.loader import find_root, load, load_edits, markdown_files

JANE = "---\nname: Jane Doe\n---\n"


# --- finding the KB --------------------------------------------------------------------


def test_the_root_is_found_from_a_subfolder(make_kb):
    root = make_kb({"contacts/acme/jane.md": JANE})
    assert find_root(root / "contacts" / "acme") == root.resolve()
    assert find_root(root) == root.resolve()


def test_no_root_outside_a_kb(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: not a KB, no contacts/\n")
    assert find_root(tmp_path) is None


# --- records ---------------------------------------------------------------------------


def test_a_fresh_kb_has_no_records_and_no_problems(make_kb):
    network = load(make_kb())
    assert (network.people, network.organisations, network.interactions) == ({}, {}, ())
    assert network.problems == ()
    assert network.settings.owner == "Test Owner"


def test_one_bad_file_never_stops_the_others(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/a-bad.md": b"\xff\xfe",
            "contacts/b-jane.md": JANE,
            "contacts/c-empty.md": "",
            "orgs/acme.md": "---\nname: [\n---\n",
            "orgs/globex.md": "---\nname: Globex\n---\n",
            "log/lunch.md": "---\ndate: 2026-10-02\nwith: b-jane\n---\n",
        }
    )
    network = load(root)
    assert list(network.people) == ["b-jane"]
    assert list(network.organisations) == ["globex"]
    assert [i.slug for i in network.interactions] == ["lunch"]
    assert [p.code for p in network.problems] == ["NK101", "NK105", "NK110"]
    problems_of(root)


def test_only_markdown_files_are_records(make_kb, problems_of):
    root = make_kb(
        {
            "contacts/jane.md": JANE,
            "contacts/jane.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
            "contacts/notes.txt": "not a contact",
            "contacts/.hidden.md": "not read",
            "contacts/.obsidian/workspace.md": "not read",
            "contacts/.gitkeep": "",
        }
    )
    assert problems_of(root) == []
    assert list(load(root).people) == ["jane"]


def test_the_slug_is_the_file_name_wherever_the_file_is(make_kb):
    root = make_kb({"contacts/acme/berlin/jane-doe.md": JANE})
    jane = load(root).people["jane-doe"]
    assert jane.source.path == (root / "contacts/acme/berlin/jane-doe.md").resolve()


def test_problems_are_sorted_by_path_line_and_column(make_kb):
    root = make_kb(
        {
            "contacts/b.md": "---\nname: B\ncircle: 9\nmet: 2024-02-30\n---\n",
            "contacts/a.md": "---\nname: A\ncadence: often\n---\n",
        }
    )
    located = [(p.path.name, p.line, p.column) for p in load(root).problems]
    assert located == [("a.md", 3, 10), ("b.md", 3, 9), ("b.md", 4, 6)]


def test_interactions_are_in_date_order(make_kb):
    root = make_kb(
        {
            "contacts/jane.md": JANE,
            "log/b.md": "---\ndate: 2026-01-02\nwith: jane\n---\n",
            "log/a.md": "---\ndate: 2026-03-01\nwith: jane\n---\n",
            "log/c.md": "---\ndate: 2025-12-31\nwith: jane\n---\n",
        }
    )
    dates = [i.date for i in load(root).interactions]
    assert dates == [dt.date(2025, 12, 31), dt.date(2026, 1, 2), dt.date(2026, 3, 1)]


def test_records_cannot_be_changed(make_kb):
    network = load(make_kb({"contacts/jane.md": JANE}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        network.people["jane"].name = "Mallory"  # type: ignore[misc]
    with pytest.raises(TypeError):
        network.people["x"] = network.people["jane"]  # type: ignore[index]


def test_files_are_walked_depth_first_in_name_order(make_kb):
    """A folder's files before its subfolders', names in order, hidden ones skipped."""
    root = make_kb(
        {
            "contacts/b.md": JANE,
            "contacts/a/z.md": JANE,
            "contacts/a/b/y.md": JANE,
            "contacts/c/x.md": JANE,
            "contacts/a.md": JANE,
            "contacts/.hidden.md": JANE,
            "contacts/.git/h.md": JANE,
            "contacts/notes.txt": "not a record",
        }
    )
    found = [p.relative_to(root).as_posix() for p in markdown_files(root, "contacts", [])]
    assert found == [
        "contacts/a.md",
        "contacts/b.md",
        "contacts/a/z.md",
        "contacts/a/b/y.md",
        "contacts/c/x.md",
    ]


# --- serve's fast path: an edit read into the last network -----------------------------

BOB = "---\nname: Bob Roe\n---\n"


def test_an_edit_is_read_into_the_last_network(make_kb):
    root = make_kb({"contacts/jane.md": JANE, "contacts/bob.md": BOB}).resolve()
    memory = MemoryCache()
    network = load(root, cache=memory)
    jane = root / "contacts/jane.md"
    jane.write_text("---\nname: Jane Doe\nrelations:\n  friend: [nobody]\n---\n")
    edited = load_edits(network, {jane}, cache=memory)
    assert edited is not None
    assert edited.network.people["jane"].relations == (("friend", ("nobody",)),)
    assert edited.network.people["bob"] is network.people["bob"]  # not read again
    assert [p.format(root) for p in edited.network.problems] == [
        "contacts/jane.md:4:12: error NK140: relations.friend: no person has the slug "
        "'nobody'; a slug is a file name in contacts/ without .md"
    ]
    assert edited.network.problems == load(root).problems  # what a full load says
    assert edited.index.person("Bob") == "bob"


@pytest.mark.parametrize(
    "change",
    ["a new file", "a deleted file", "a file outside the folders", "a file that does not parse"],
)
def test_anything_but_an_edit_of_a_known_record_needs_a_full_load(make_kb, change):
    root = make_kb({"contacts/jane.md": JANE, "contacts/bob.md": BOB}).resolve()
    memory = MemoryCache()
    network = load(root, cache=memory)
    if change == "a new file":
        path = root / "contacts/ann.md"
        path.write_text("---\nname: Ann\n---\n")
    elif change == "a deleted file":
        path = root / "contacts/bob.md"
        path.unlink()
    elif change == "a file outside the folders":
        path = root / "README.md"
        path.write_text("# KB\n")
    else:
        path = root / "contacts/bob.md"
        path.write_text("---\nname: [Bob\n---\n")
    assert load_edits(network, {path}, cache=memory) is None


# --- symlinks --------------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_kb_is_refused(make_kb, problems_of, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Not yours\n---\n")
    root = make_kb({"contacts/jane.md": JANE})
    (root / "contacts/secret.md").symlink_to(secret)
    assert problems_of(root) == [
        f"contacts/secret.md:1:1: error NK107: secret.md is a symlink to {secret}, outside the "
        "knowledge base; netkb refuses to read it"
    ]
    assert list(load(root).people) == ["jane"]


def test_a_symlinked_folder_outside_the_kb_is_refused(make_kb, problems_of, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "bob.md").write_text("---\nname: Bob\n---\n")
    root = make_kb({"contacts/jane.md": JANE})
    (root / "contacts/more").symlink_to(outside, target_is_directory=True)
    assert problems_of(root) == [
        f"contacts/more:1:1: error NK107: more is a symlink to {outside}, outside the "
        "knowledge base; netkb refuses to read it"
    ]


def test_a_contacts_folder_that_links_out_of_the_kb_is_refused(make_kb, problems_of, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "bob.md").write_text("---\nname: Bob\n---\n")
    root = make_kb()
    (root / "orgs").symlink_to(outside, target_is_directory=True)
    assert problems_of(root) == [
        f"orgs:1:1: error NK107: orgs is a symlink to {outside}, outside the "
        "knowledge base; netkb refuses to read it"
    ]


def test_a_symlink_inside_the_kb_is_read(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": JANE, "shared/bob.md": "---\nname: Bob\n---\n"})
    (root / "contacts/bob.md").symlink_to(root / "shared/bob.md")
    assert problems_of(root) == []
    assert sorted(load(root).people) == ["bob", "jane"]


def test_a_symlinked_folder_inside_the_kb_is_not_followed(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": JANE, "archive/bob.md": "---\nname: Bob\n---\n"})
    (root / "contacts/archive").symlink_to(root / "archive", target_is_directory=True)
    assert problems_of(root) == [
        "contacts/archive:1:1: warning NK109: symlinked folder is not followed; "
        "move the files here instead"
    ]


def test_a_dangling_symlink_is_reported(make_kb, problems_of):
    root = make_kb()
    (root / "contacts/gone.md").symlink_to(root / "contacts/missing.md")
    assert problems_of(root) == [
        "contacts/gone.md:1:1: error NK108: cannot read the file: No such file or directory"
    ]


def test_a_symlink_loop_is_reported(make_kb, problems_of):
    root = make_kb()
    (root / "contacts/a.md").symlink_to(root / "contacts/b.md")
    (root / "contacts/b.md").symlink_to(root / "contacts/a.md")
    assert problems_of(root) == [
        "contacts/a.md:1:1: error NK108: cannot read the file: Too many levels of symbolic links",
        "contacts/b.md:1:1: error NK108: cannot read the file: Too many levels of symbolic links",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_reported_not_waited_on(make_kb, problems_of):
    root = make_kb({"contacts/jane.md": JANE})
    os.mkfifo(root / "contacts/pipe.md")
    assert problems_of(root) == [
        "contacts/pipe.md:1:1: error NK108: cannot read the file: it is not a regular file"
    ]


def test_an_unreadable_file_is_reported(make_kb, problems_of, monkeypatch):
    root = make_kb({"contacts/jane.md": JANE})
    # chmod 0 does not stop root (CI runs as root): make the read itself fail instead.
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "jane.md":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert problems_of(root) == [
        "contacts/jane.md:1:1: error NK108: cannot read the file: Permission denied"
    ]


# --- settings --------------------------------------------------------------------------


def test_settings_are_read_from_mkdocs_yml(make_kb):
    root = make_kb(
        config=dedent("""\
            site_name: Pablo's network
            extra:
              netkb:
                owner: Pablo Valle
                work_hours_per_week: 35
                networking_share: 0.1
                cadence_by_circle: {1: 7d, 5: 1y}
            """)
    )
    settings = load(root).settings
    assert (settings.owner, settings.site_name) == ("Pablo Valle", "Pablo's network")
    assert (settings.work_hours_per_week, settings.networking_share) == (35.0, 0.1)
    assert settings.cadence_by_circle[1] == Cadence(7, "d")
    assert settings.cadence_by_circle[2] == Cadence(30, "d")
    assert settings.cadence_by_circle[5] == Cadence(1, "y")


def test_mkdocs_tags_do_not_stop_netkb_from_reading_its_settings(make_kb, problems_of):
    root = make_kb(
        config=dedent("""\
            site_name: !ENV [SITE_NAME, "My network"]
            markdown_extensions:
              - pymdownx.emoji:
                  emoji_index: !!python/name:material.extensions.emoji.twemoji
            extra:
              netkb:
                owner: Pablo
            """)
    )
    assert problems_of(root) == []
    assert load(root).settings.owner == "Pablo"


def test_bad_settings_are_located_and_fall_back_to_defaults(make_kb, problems_of):
    root = make_kb(
        config=dedent("""\
            site_name: x
            extra:
              netkb:
                owner: 42
                work_hours_per_week: 200
                networking_share: 5%
                cadence_by_circle: {1: often, 7: 3d}
            """)
    )
    assert problems_of(root) == [
        "mkdocs.yml:4:1: error NK160: extra.netkb.owner must be your name, as text",
        "mkdocs.yml:5:1: error NK160: work_hours_per_week must be a number of hours, 1 to 168",
        "mkdocs.yml:6:1: error NK160: networking_share must be a fraction such as 0.05 (5%)",
        "mkdocs.yml:7:1: error NK160: cadence_by_circle.1: 'often' is not an interval like 30d",
        "mkdocs.yml:7:1: error NK160: cadence_by_circle: 7 is not a circle 1-5",
    ]
    assert load(root).settings.owner == Settings().owner


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("site_name: [x\nextra: 1\n", "2:6: error NK161: YAML error: did not find expected "
         "',' or ']'"),
        (b"site_name: \xff\n", "1:1: error NK161: cannot read mkdocs.yml: 'utf-8' codec can't "
         "decode byte 0xff in position 11: invalid start byte"),
        ("- a list\n", "1:1: error NK161: mkdocs.yml must be a mapping"),
        # the mapping is level 1, so the 32nd '[' is the 33rd level
        ("extra: " + "[" * 100_000 + "\n", "1:39: error NK117: values are nested more than 32 "
         "levels deep"),
        ("site_name: Zoë\nowner: a\x07b\n", "2:9: error NK161: character U+0007 is not "
         "allowed in mkdocs.yml; delete it"),
    ],
)  # fmt: skip
def test_an_unreadable_mkdocs_yml_is_a_problem_not_a_crash(make_kb, problems_of, config, problem):
    root = make_kb({"contacts/jane.md": JANE}, config=config)
    assert problems_of(root) == [f"mkdocs.yml:{problem}"]
    assert list(load(root).people) == ["jane"]
