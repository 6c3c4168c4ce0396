"""A build after edits is the same, byte for byte, as a clean build of the same files.

``netkb build`` renders only what the files changed since the last build can change and
MkDocs builds only the pages whose digest changed. The oracle: after each edit of a
sequence (add, edit, rename, delete, make private, change mkdocs.yml, change a template,
log an interaction, edit an organisation), the site and the generated folder equal those
of ``build --clean`` on a fresh copy of the same sources. Built in forked workers or in
one process, the site is the same too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, copy_demo

import netkb.build.site as site_module
import netkb.render.render as render_module
from netkb.build.builder import BuildError, MkDocsBuilder
from netkb.build.generate import GeneratedFolderError
from netkb.build.incremental import REMEMBERED, SEARCH_STATE, STATE_DIR, RenderState
from netkb.build.site import BuildResult, build
from netkb.core import parallel
from netkb.render.search_index import MAX_BYTES

TODAY = "2026-11-15"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # One date for the sitemap (and its gzip header) and one day for due dates.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763164800")
    monkeypatch.setenv("NETKB_TODAY", TODAY)
    root = copy_demo(tmp_path / "kb")
    git = ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "demo", "--date", "2026-01-01T00:00:00"], check=True)
    return root


def clean_build_of(root: Path, scratch: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The site and generated folder a clean build of ``root``'s sources makes."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(".netkb", "site"))
    result = build(scratch, clean=True)
    assert result.ok, [p.format(scratch) for p in result.network.errors] + result.findings
    return tree(scratch / "site"), tree(scratch / ".netkb/docs")


def assert_same_as_clean(result: BuildResult, root: Path, scratch: Path) -> None:
    assert result.ok, [p.format(root) for p in result.network.errors] + result.findings
    site, docs = clean_build_of(root, scratch)
    assert differences(tree(root / "site"), site) == []
    assert differences(tree(root / ".netkb/docs"), docs) == []


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_person(root: Path) -> None:
    (root / "contacts/zoe-quist.md").write_text(
        "---\nname: Zoe Quist\nrole: Harbour pilot\ntags: [sailing]\ncircle: 3\n"
        "organization: Globex Software\n---\n\nKnows [[anna-kowalska]].\n",
        encoding="utf-8",
    )


def rename_person(root: Path) -> None:
    (root / "contacts/zoe-quist.md").rename(root / "contacts/zoe-quist-berg.md")
    replace(root / "contacts/zoe-quist-berg.md", "name: Zoe Quist", "name: Zoe Quist-Berg")


def log_interaction(root: Path) -> None:
    (root / "log/2026/2026-11-10-lunch-zoe.md").write_text(
        "---\ndate: 2026-11-10\nwith: [zoe-quist-berg, anna-kowalska]\nkind: lunch\n"
        "minutes: 75\nfavor: given\nsummary: Harbour tour\n---\n",
        encoding="utf-8",
    )


def delete_person(root: Path) -> None:
    (root / "contacts/zoe-quist-berg.md").unlink()
    (root / "log/2026/2026-11-10-lunch-zoe.md").unlink()


def commit(root: Path) -> None:
    """A commit moves HEAD: the "last updated" dates of the files in it change."""
    git = ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "edits", "--date", "2026-03-01T00:00:00"], check=True)


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("add a person", add_person),
    (
        "edit a person",
        lambda root: replace(
            root / "contacts/anna-kowalska.md", "role: Freelance tech journalist", "role: Editor"
        ),
    ),
    ("rename a person", rename_person),
    ("commit", commit),
    ("log an interaction", log_interaction),
    (
        "edit an organisation",
        lambda root: replace(
            root / "orgs/globex-software.md",
            "website:",
            "website: https://globex.test\nold_website:",
        ),
    ),
    (
        "make a person private",
        lambda root: replace(
            root / "contacts/anna-kowalska.md",
            "name: Anna Kowalska",
            "name: Anna Kowalska\nprivate: true",
        ),
    ),
    ("delete a person", delete_person),
    (
        "change mkdocs.yml",
        lambda root: replace(root / "mkdocs.yml", "site_name: ", "site_name: Edited — "),
    ),
    (
        "change a template",
        lambda root: replace(root / "templates/person.md.j2", "Before you meet", "Before we meet"),
    ),
]


def test_a_sequence_of_edits_builds_what_a_clean_build_builds(kb: Path, tmp_path: Path):
    first = build(kb)
    assert first.ok
    pages = first.site_pages
    assert first.pages_built == pages
    for what, edit in EDITS:
        edit(kb)
        result = build(kb)
        assert_same_as_clean(result, kb, tmp_path / "clean")
        if what in {"edit a person", "edit an organisation", "log an interaction"}:
            assert 0 < result.pages_built < pages / 3, (what, result.pages_built)
        if what == "change mkdocs.yml":  # every page shows the site's name
            assert result.pages_built == result.site_pages, what


def test_nothing_changed_renders_nothing_and_builds_no_page(kb: Path):
    assert build(kb).ok
    again = build(kb)
    assert again.ok
    assert (again.rendered, again.pages_built) == (set(), 0)


def test_a_deleted_site_page_or_generated_file_is_made_again(kb: Path, tmp_path: Path):
    assert build(kb).ok
    (kb / "site/people/anna-kowalska.html").unlink()
    (kb / ".netkb/docs/people/greta-novak.md").unlink()
    result = build(kb)
    assert result.pages_built == 1  # the generated page came back as it was: its HTML stays
    assert (kb / ".netkb/docs/people/greta-novak.md").is_file()
    assert_same_as_clean(result, kb, tmp_path / "clean")


def test_a_stray_file_in_the_site_is_removed(kb: Path):
    assert build(kb).ok
    (kb / "site/people/stray.html").write_text("<p>old page</p>", encoding="utf-8")
    result = build(kb)
    assert "people/stray.html" not in {
        p.relative_to(kb / "site").as_posix() for p in (kb / "site").rglob("*")
    }
    assert result.ok


def test_clean_rebuilds_every_page(kb: Path):
    first = build(kb)
    result = build(kb, clean=True)
    assert result.pages_built == first.site_pages


def test_forked_workers_build_the_same_site_as_one_process(kb: Path, tmp_path: Path):
    other = shutil.copytree(kb, tmp_path / "other")
    one = build(kb, workers=1, clean=True)
    two = build(other, workers=2, clean=True)
    assert one.ok and two.ok and one.site_pages >= 200  # enough pages to fork for
    assert differences(tree(kb / "site"), tree(other / "site")) == []


def test_a_child_makes_the_search_documents_as_this_process_would(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """After a full render the search documents are made in a child while the site is
    built: the index and the state the next build starts from are the same."""
    other = shutil.copytree(kb, tmp_path / "other")
    assert build(kb, workers=1, clean=True).ok
    monkeypatch.setattr(site_module, "APART_FROM", 2)
    made: list[int] = []  # the process that made the documents

    class Recorded(parallel.Later):  # type: ignore[type-arg]
        def __init__(self, work, *, apart=True):  # type: ignore[no-untyped-def]
            super().__init__(lambda: (work(), os.getpid()), apart=apart)

        def __call__(self):  # type: ignore[no-untyped-def]
            value, pid = super().__call__()
            made.append(pid)
            return value

    monkeypatch.setattr(site_module, "Later", Recorded)
    assert build(other, workers=2, clean=True).ok
    assert made and os.getpid() not in made
    assert differences(tree(kb / "site"), tree(other / "site")) == []
    state = f"{STATE_DIR}/{SEARCH_STATE}"
    assert (kb / state).read_bytes() == (other / state).read_bytes()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was waited for


def test_the_state_is_kept_when_the_builder_fails(kb: Path, monkeypatch: pytest.MonkeyPatch):
    """The generated folder is current even when MkDocs fails: the next build renders
    only what changes after it (the search documents of the state are complete)."""
    monkeypatch.setattr(site_module, "APART_FROM", 2)

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise BuildError("MkDocs could not build the site")

    with monkeypatch.context() as patched:
        patched.setattr(MkDocsBuilder, "build", broken)
        with pytest.raises(BuildError):
            build(kb, workers=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was waited for
    state = RenderState.read(kb)
    assert state is not None
    pages = {p for p in state.files if p.startswith(("people/", "orgs/"))}
    assert pages and set(state.search) == pages
    again = build(kb, workers=2)
    assert again.ok and again.pages == 0  # the state says nothing changed: none rendered


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Person pages rendered in forked workers even for the demo, in small shares."""
    monkeypatch.setattr(render_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(render_module, "FIRST", 5)
    monkeypatch.setattr(render_module, "SHARE", 7)


def test_workers_that_write_their_pages_make_the_same_folder_and_site(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forking: None
):
    other = shutil.copytree(kb, tmp_path / "other")
    alone = build(kb, workers=1, clean=True)
    writers = tmp_path / "writers"  # the process of each write of person pages
    make_writer = site_module.Generator._writer

    def writer(generator, facts):  # type: ignore[no-untyped-def]
        write = make_writer(generator, facts)

        def recorded(pages):  # type: ignore[no-untyped-def]
            with writers.open("a") as out:
                out.write(f"{os.getpid()} {len(pages)}\n")
            return write(pages)

        return recorded

    monkeypatch.setattr(site_module.Generator, "_writer", writer)
    # A stale page of someone gone is deleted; the pages the workers wrote stay.
    stale = other / ".netkb/docs/people/gone.md"
    stale.parent.mkdir(parents=True)
    (other / ".netkb/docs/.netkb-generated").write_bytes(b"")
    stale.write_text("# Gone\n")
    shared = build(other, workers=2, clean=True)
    assert alone.ok and shared.ok
    pids = {int(line.split()[0]) for line in writers.read_text().splitlines()}
    assert pids and os.getpid() not in pids  # the workers wrote
    assert not stale.exists()
    assert differences(tree(kb / ".netkb/docs"), tree(other / ".netkb/docs")) == []
    assert differences(tree(kb / "site"), tree(other / "site")) == []
    assert (shared.stats.written, shared.stats.unchanged) == (alone.stats.written, 0)
    assert shared.pages == alone.pages
    # Again over the same folder: the workers find their pages as they were.
    again = build(other, workers=2, clean=True)
    assert (again.stats.written, again.stats.unchanged) == (0, alone.pages)


def test_workers_write_nothing_into_a_folder_netkb_did_not_make(
    kb: Path, monkeypatch: pytest.MonkeyPatch, forking: None
):
    mine = kb / "notes"
    mine.mkdir()
    (mine / "mine.md").write_text("my own notes\n")
    config = kb / "mkdocs.yml"
    config.write_text(config.read_text().replace("docs_dir: .netkb/docs", "docs_dir: notes"))
    with pytest.raises(GeneratedFolderError, match="holds files netkb did not generate"):
        build(kb, workers=2)
    assert sorted(p.name for p in mine.iterdir()) == ["mine.md"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_a_build_that_fails_while_the_documents_are_made_leaves_no_child(
    kb: Path, monkeypatch: pytest.MonkeyPatch, failure: type[BaseException]
):
    """Interrupted, the child making the search documents ends and the state is not
    kept; failing (here: the documents themselves fail), the error is the documents'."""
    monkeypatch.setattr(site_module, "APART_FROM", 2)

    def failing(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the documents fail")

    def asks(self, *_args, search_docs=None, **_kwargs):  # type: ignore[no-untyped-def]
        if failure is KeyboardInterrupt:
            raise KeyboardInterrupt
        search_docs()  # raises: the child failed, and so does this process

    monkeypatch.setattr(site_module, "search_documents", failing)
    monkeypatch.setattr(MkDocsBuilder, "build", asks)
    with pytest.raises(failure):
        build(kb, workers=2)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left
    assert RenderState.read(kb) is None  # no state without its documents


def test_the_search_index_is_made_from_records_and_small(kb: Path):
    assert build(kb).ok
    raw = (kb / "site/search/search_index.json").read_bytes()
    index = json.loads(raw)
    docs = index["docs"]
    locations = {d["location"] for d in docs}
    # people and organisations only: listing pages (letters, tags, circles…) are not indexed
    assert "people/greta-novak.html" in locations
    assert not any(
        loc.startswith(("letters/", "tags/", "circles/", "journal")) for loc in locations
    )
    assert "people.html" not in locations
    greta = next(d for d in docs if d["location"] == "people/greta-novak.html")
    assert greta["title"] == "Greta Novák"
    assert all(
        len(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()) <= MAX_BYTES
        for d in docs
    )
    people = len(list((kb / "contacts").rglob("*.md")))
    assert len(raw) / people < 600
    assert set(index["config"]) == {"lang", "separator", "pipeline", "fields"}


def test_private_people_and_private_notes_are_not_in_the_index(kb: Path):
    assert build(kb).ok
    text = (kb / "site/search/search_index.json").read_text(encoding="utf-8")
    private = [
        p
        for p in (kb / "contacts").rglob("*.md")
        if "\nprivate: true" in p.read_text(encoding="utf-8")
    ]
    assert private  # the demo has private people
    for path in private:
        assert f"people/{path.stem}." not in text
    assert "## Private" not in text


def test_state_files_from_another_format_are_ignored(kb: Path, tmp_path: Path):
    assert build(kb).ok
    (kb / ".netkb/build/render.json").write_text('{"format": 999}', encoding="utf-8")
    (kb / ".netkb/build/pages.json").write_text("not json", encoding="utf-8")
    result = build(kb)
    assert result.pages_built == result.site_pages
    assert_same_as_clean(result, kb, tmp_path / "clean")


def test_the_build_directory_holds_only_netkb_state(kb: Path):
    assert build(kb).ok
    assert sorted(p.name for p in (kb / ".netkb/build").iterdir()) == [
        "calendar.json",
        "pages.json",
        "remembered.json",
        "render.json",
        "search.json",
        "sources.bin",
    ]


def test_search_documents_are_html_text_and_cut_between_characters(kb: Path):
    (kb / "contacts/mallory.md").write_text(
        '---\nname: "Mallory <img src=x onerror=alert(1)>"\nrole: R&D <b>lead</b>\n---\n\n'
        + "Tom & Jerry <script>x</script> " * 60
        + "\n",
        encoding="utf-8",
    )
    assert build(kb).ok
    docs = json.loads((kb / "site/search/search_index.json").read_text("utf-8"))["docs"]
    mallory = next(d for d in docs if d["location"] == "people/mallory.html")
    assert mallory["title"] == "Mallory &lt;img src=x onerror=alert(1)&gt;"
    assert "<" not in mallory["text"] and "R&amp;D &lt;b&gt;lead&lt;/b&gt;" in mallory["text"]
    assert mallory["text"].endswith("…")
    assert re.search(r"&[#\w]*…$", mallory["text"]) is None  # no half entity before the cut
    assert len(json.dumps(mallory, ensure_ascii=False, separators=(",", ":")).encode()) <= MAX_BYTES


def test_a_build_with_nothing_changed_keeps_the_search_index_and_writes_it_when_gone(kb: Path):
    assert build(kb).ok
    index = kb / "site/search/search_index.json"
    before = index.read_bytes()
    assert b"Greta Nov" in before
    assert build(kb).ok
    assert index.read_bytes() == before  # not emptied by Material's plugin either
    index.unlink()
    assert build(kb).ok
    assert index.read_bytes() == before


def test_an_edit_of_the_kbs_own_theme_folder_rebuilds_the_pages(kb: Path, tmp_path: Path):
    """mkdocs.yml may name a custom_dir of the KB's own: a change there is a change of every
    page, even when nothing netkb generates changed."""
    theme = kb / "my-theme"
    theme.mkdir()
    ours = (REPO / "netkb/data/overrides/main.html").read_text(encoding="utf-8")
    marked = ours.replace("{% block extrahead %}", "{% block extrahead %}<!-- theme {{ v }} -->")
    assert marked != ours
    (theme / "main.html").write_text(marked.replace("{{ v }}", "v1"), encoding="utf-8")
    replace(kb / "mkdocs.yml", "  custom_dir: .netkb/overrides", "  custom_dir: my-theme")
    assert build(kb).ok
    assert "theme v1" in (kb / "site/index.html").read_text(encoding="utf-8")
    (theme / "main.html").write_text(marked.replace("{{ v }}", "v2"), encoding="utf-8")
    result = build(kb)
    assert result.pages_built == result.site_pages
    assert "theme v2" in (kb / "site/people/greta-novak.html").read_text(encoding="utf-8")
    assert_same_as_clean(result, kb, tmp_path / "clean")


# -- slow results (connectors' scores, the map's layout) are kept with the build state ------


def new_process() -> None:
    """Forget what this process remembers, as a new `netkb build` starts."""
    for memo in REMEMBERED.values():
        memo.clear()


def test_an_edit_that_changes_no_link_reuses_the_scores_and_the_layout(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A new process reads the results the last build kept (by the digest of their input)
    instead of computing them again; the site equals a clean build's."""
    assert build(kb).ok
    kept = json.loads((kb / ".netkb/build/remembered.json").read_bytes())
    assert kept["connectors"] and kept["layouts"]  # one graph's scores, one layout
    new_process()
    computed = count_calls(monkeypatch)
    replace(kb / "contacts/anna-kowalska.md", "role: Freelance tech journalist", "role: Editor")
    result = build(kb)
    assert computed == []
    new_process()  # the clean build computes them from nothing
    assert_same_as_clean(result, kb, tmp_path / "clean")
    assert sorted(set(computed)) == ["betweenness", "layout"]  # it did


def test_an_edit_that_changes_a_link_computes_the_scores_again(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert build(kb).ok
    new_process()
    computed = count_calls(monkeypatch)
    add_person(kb)
    log_interaction(kb)
    replace(kb / "log/2026/2026-11-10-lunch-zoe.md", "zoe-quist-berg", "zoe-quist")
    result = build(kb)
    assert computed.count("betweenness") == 1  # Zoe and Anna are linked now: another graph
    new_process()
    assert_same_as_clean(result, kb, tmp_path / "clean")


@pytest.mark.parametrize(
    "damaged",
    [
        b"not json",
        b"[1]",
        b'{"connectors": {"0000": {"anna-kowalska": "top"}}, "layouts": [1]}',
        b'{"connectors": 7, "layouts": {"0000": {"anna-kowalska": [1, "x", 3]}}}',
    ],
)
def test_a_damaged_remembered_state_is_ignored(kb: Path, tmp_path: Path, damaged: bytes):
    assert build(kb).ok
    new_process()
    (kb / ".netkb/build/remembered.json").write_bytes(damaged)
    replace(kb / "contacts/anna-kowalska.md", "role: Freelance tech journalist", "role: Editor")
    result = build(kb)
    new_process()
    assert_same_as_clean(result, kb, tmp_path / "clean")


def count_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What is computed from now on: "betweenness" and "layout" (the map's), once a call."""
    import networkx

    from netkb.render import svg

    computed: list[str] = []
    betweenness, force = networkx.betweenness_centrality, svg.force

    def counted_betweenness(*args, **kwargs):
        computed.append("betweenness")
        return betweenness(*args, **kwargs)

    def counted_force(*args, **kwargs):
        computed.append("layout")
        return force(*args, **kwargs)

    monkeypatch.setattr(networkx, "betweenness_centrality", counted_betweenness)
    monkeypatch.setattr(svg, "force", counted_force)
    return computed
