"""The demo KB shows the whole layout: its templates/ folder overrides a page of netkb's."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO, copy_demo

from netkb.build.site import BuildResult
from netkb.build.site import build as build_site

# contacts/banco-mirador/carmen-ibanez.md in the demo has:
#   interests: [padel, contemporary art, Real Madrid]
#   qualities: [sharp, demanding, generous]
CARMEN = "people/carmen-ibanez.md"


def page_of(result: BuildResult, root: Path, page: str) -> str:
    """The Markdown netkb generated for ``page`` (before MkDocs turned it into HTML)."""
    docs = root / result.network.settings.docs_dir
    return (docs / page).read_text(encoding="utf-8")


def test_the_demo_has_a_templates_folder_with_a_readme() -> None:
    assert (REPO / "templates" / "person.md.j2").is_file()
    readme = (REPO / "templates" / "README.md").read_text(encoding="utf-8")
    assert "person.md.j2" in readme
    assert "netkb/templates/" in readme


def test_the_demos_person_template_adds_before_you_meet(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "kb")
    result = build_site(root)
    assert result.ok
    markdown = page_of(result, root, CARMEN)
    assert "\n\n## Before you meet\n\n| To remember | |\n|---|---|\n" in markdown
    assert "| Ask about | padel, contemporary art, Real Madrid |" in markdown
    assert "| Appreciates | sharp, demanding, generous |" in markdown
    assert result.site_dir is not None
    html = (result.site_dir / "people" / "carmen-ibanez.html").read_text(encoding="utf-8")
    assert 'id="before-you-meet">Before you meet' in html
    # The override is Markdown and stays Markdown: its table and list become HTML, and
    # the links netkb's helpers put into it (HTML with final URLs) are kept as they are.
    assert "<td>Ask about</td>\n<td>padel, contemporary art, Real Madrid</td>" in html
    assert '- **Manages:** <a href="../people/' in markdown
    assert '<li><strong>Manages:</strong> <a href="../people/' in html


def test_without_the_override_the_page_is_netkbs_own(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "kb")
    shutil.rmtree(root / "templates")
    result = build_site(root)
    assert result.ok
    markdown = page_of(result, root, CARMEN)
    assert "Before you meet" not in markdown
    # netkb's own page is HTML blocks under Markdown headings
    assert (
        "<tr>\n<td>Interests</td>\n<td>padel, contemporary art, Real Madrid</td>\n</tr>" in markdown
    )
    assert "\n\n## Timeline\n\n<table>\n" in markdown
