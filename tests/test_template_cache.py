"""Compiled templates are kept in the user's cache folder (``render/template_cache.py``):
only netkb's and an installed theme's, in a private folder; a site built from them is
the same as one compiled anew."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import jinja2
import pytest

import netkb.render.template_cache as template_cache
from netkb.build.builder import MkDocsSession
from netkb.build.site import build, generate
from netkb.render.page_context import KbSandbox, environment
from tests.conftest import MINIMAL_CONFIG, write_kb
from tests.test_navigation_once import tree

PEOPLE = {f"contacts/p{i}.md": f"---\nname: Person {i}\ncircle: 2\n---\nNotes.\n" for i in range(4)}


def compiled_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    real = jinja2.Environment.compile

    def recording(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        names.append(name or "")
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", recording)
    return names


def test_a_second_build_compiles_no_page_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = write_kb(tmp_path / "kb", PEOPLE)
    names = compiled_names(monkeypatch)
    assert build(root, clean=True, workers=1).ok
    assert {"base.html", "partials/header.html", "person.md.j2"} <= set(names)
    kept = template_cache.folder()
    leaves = list(kept.iterdir())
    assert len(leaves) == 2  # one for netkb's page templates, one for the theme's
    for leaf in leaves:
        assert stat.S_IMODE(leaf.stat().st_mode) == 0o700
        assert any(leaf.iterdir())
    names.clear()
    assert build(root, clean=True, workers=1).ok
    assert not {"base.html", "partials/header.html", "person.md.j2"} & set(names)


def test_the_site_is_the_same_compiled_anew_or_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_kb(tmp_path / "kb", PEOPLE)
    other = shutil.copytree(root, tmp_path / "other")
    assert build(root, clean=True).ok  # fills the cache
    assert build(root, clean=True).ok  # reads it
    monkeypatch.setattr(template_cache, "bytecode_cache", lambda kind, env: None)
    monkeypatch.setattr("netkb.build.builder.bytecode_cache", lambda kind, env: None)
    monkeypatch.setattr("netkb.render.page_context.bytecode_cache", lambda kind, env: None)
    assert build(other, clean=True).ok
    assert tree(root / "site") == tree(other / "site")


def test_the_kbs_own_templates_are_never_kept(tmp_path: Path) -> None:
    # They are compiled by the sandbox, every time: code from a cache would skip it.
    root = write_kb(
        tmp_path / "kb",
        {**PEOPLE, "templates/person.md.j2": "---\ntitle: x\n---\n# {{ p.name }}\n"},
    )
    assert type(environment(root / "templates")) is KbSandbox
    assert environment(root / "templates").bytecode_cache is None
    assert environment(None).bytecode_cache is not None
    themed = write_kb(
        tmp_path / "themed",
        {**PEOPLE, "theme/main.html": '{% extends "base.html" %}\n'},
        MINIMAL_CONFIG + "theme:\n  name: material\n  custom_dir: theme\n",
    )
    assert not generate(themed).network.errors  # the pages MkDocs reads
    session = MkDocsSession(themed / "mkdocs.yml")
    env = session._prepare()["env"]
    assert env.bytecode_cache is None and type(env) is not jinja2.Environment
    plain = MkDocsSession(root / "mkdocs.yml")
    assert build(root).ok
    assert plain._prepare()["env"].bytecode_cache is not None


def test_a_cache_folder_others_could_change_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = jinja2.Environment()
    cache_home = tmp_path / "cache"
    cache_home.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    assert template_cache.bytecode_cache("pages", env) is not None
    (leaf,) = template_cache.folder().iterdir()
    leaf.chmod(0o777)  # anyone may put code in it
    assert template_cache.bytecode_cache("pages", env) is None
    shutil.rmtree(leaf)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    leaf.symlink_to(elsewhere, target_is_directory=True)  # a link, to anywhere
    assert template_cache.bytecode_cache("pages", env) is None
    leaf.unlink()
    netkb_folder = template_cache.folder().parent
    netkb_folder.chmod(0o777)  # anyone may swap the folders below
    assert template_cache.bytecode_cache("pages", env) is None
    netkb_folder.chmod(0o700)
    cache_home.chmod(0o777)  # the cache folder itself: the same, unless sticky as /tmp
    assert template_cache.bytecode_cache("pages", env) is None
    cache_home.chmod(0o777 | stat.S_ISVTX)
    assert template_cache.bytecode_cache("pages", env) is not None
    (tmp_path / "blocked").write_text("a file where the folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert template_cache.bytecode_cache("pages", env) is None


def test_where_and_for_what_compiled_templates_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert template_cache.folder() == tmp_path / "home/.cache/netkb/templates"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    plain = template_cache.bytecode_cache("pages", jinja2.Environment())
    other = template_cache.bytecode_cache("pages", jinja2.Environment(autoescape=True))
    theme = template_cache.bytecode_cache("theme", jinja2.Environment())
    assert plain is not None and other is not None and theme is not None
    folders = {cache.directory for cache in (plain, other, theme)}  # type: ignore[attr-defined]
    assert len(folders) == 3  # other settings, another kind: never the same code
    assert template_cache.bytecode_cache("pages", KbSandbox()) is None
