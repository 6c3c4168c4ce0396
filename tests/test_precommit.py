"""pre-commit and CI: the hook this repository offers, what ``netkb init`` writes, and
``pre-commit`` itself run against a knowledge base in a temporary git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from netkb import __version__
from netkb.cli import cli
from netkb.edit.scaffold import NETKB_REPOSITORY

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
BROKEN = "---\nname: Jane Doe\nmet: 2024-02-30\n---\n"


def hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


def new_kb(tmp_path: Path, *args: str) -> Path:
    root = tmp_path / "kb"
    result = CliRunner().invoke(cli, ["init", str(root), "--owner", "Me", *args])
    assert result.exit_code == 0, result.output
    return root


def test_the_hook_runs_check_once_per_commit_when_records_change():
    (hook,) = hooks()
    assert hook["id"] == "netkb-check"
    assert hook["entry"] == "netkb check"
    assert hook["pass_filenames"] is False  # once, for the whole KB
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for path in (
        "contacts/jane.md",
        "log/2026/x.md",
        "orgs/acme.md",
        "mkdocs.yml",
        "kb/contacts/a.md",
    ):
        assert files.search(path), path
    for path in ("README.md", "notes/contacts.md", "contacts/photo.jpg", "src/log.py"):
        assert not files.search(path), path


def test_init_writes_a_pre_commit_config_that_uses_the_hook(tmp_path):
    root = new_kb(tmp_path)
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config == {
        "repos": [
            {"repo": NETKB_REPOSITORY, "rev": f"v{__version__}", "hooks": [{"id": "netkb-check"}]}
        ]
    }
    assert NETKB_REPOSITORY.startswith("https://") and ".invalid/" in NETKB_REPOSITORY


@pytest.mark.parametrize(
    ("service", "path"), [("github", ".github/workflows/netkb.yml"), ("gitlab", ".gitlab-ci.yml")]
)
def test_init_ci_writes_a_workflow_that_checks_builds_and_keeps_the_site(tmp_path, service, path):
    root = tmp_path / "kb"
    result = CliRunner().invoke(cli, ["init", str(root), "--owner", "Me", "--ci", service])
    assert result.exit_code == 0
    assert f"CI: {path} checks and builds on every push\n" in result.output
    workflow = yaml.safe_load((root / path).read_text(encoding="utf-8"))
    install = f'pip install "netkb @ git+{NETKB_REPOSITORY}@v{__version__}"'
    if service == "github":
        assert workflow[True] == "push"  # YAML 1.1 reads the key `on` as true
        (job,) = workflow["jobs"].values()
        runs = [step.get("run") for step in job["steps"]]
        assert runs[2:5] == [install, "netkb check --format github", "netkb build"]
        upload = job["steps"][5]
        assert upload["uses"].startswith("actions/upload-artifact@")
        assert upload["with"]["path"] == "site/"
        assert workflow["permissions"] == {"contents": "read"}  # cannot publish anything
        used = [step.get("uses", "") for step in job["steps"]]
        assert not any("pages" in u for u in used)
    else:
        (name,) = workflow
        job = workflow[name]
        assert name != "pages"  # GitLab publishes a job named pages
        assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "push"'}]
        assert job["script"] == [
            install,
            "netkb check --format gitlab > gl-code-quality-report.json",
            "netkb build",
        ]
        assert job["artifacts"]["paths"] == ["site/"]
        assert job["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json"}
        assert "pages" not in job["artifacts"]


def test_init_ci_never_overwrites_a_workflow(tmp_path):
    root = tmp_path / "kb"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "netkb.yml").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(root), "--owner", "Me", "--ci", "github"])
    assert result.exit_code == 1
    assert "refusing to overwrite what exists" in result.output
    assert (root / ".github" / "workflows" / "netkb.yml").read_text() == "mine\n"
    assert not (root / "mkdocs.yml").exists()


def run_pre_commit(root: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # the netkb under test
    }
    return subprocess.run(
        [str(PRE_COMMIT), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def kb_repo(tmp_path: Path) -> Path:
    """A KB made by ``netkb init`` in a git repository, with an error committed."""
    root = new_kb(tmp_path)
    (root / "contacts" / "jane-doe.md").write_text(BROKEN, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "start")
    return root


def test_pre_commit_run_with_the_hook_fails_with_the_located_message(kb_repo, tmp_path):
    # The hook exactly as .pre-commit-hooks.yaml defines it, run by the installed netkb
    # (language: system) so that this test needs no network and no build.
    (hook,) = hooks()
    local = {**hook, "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (kb_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    failed = run_pre_commit(kb_repo, "run", "--all-files", home=tmp_path / "home")

    assert failed.returncode == 1
    assert "netkb check" in failed.stdout and "Failed" in failed.stdout
    assert (
        "contacts/jane-doe.md:3:6: error NK122: met 2024-02-30 is not a real calendar date"
        in failed.stdout
    )
    assert failed.stdout.count("1 person, ") == 1  # run once, not once per file

    (kb_repo / "contacts" / "jane-doe.md").write_text(BROKEN.replace("02-30", "02-28"))
    passed = run_pre_commit(kb_repo, "run", "--all-files", home=tmp_path / "home")
    assert passed.returncode == 0, passed.stdout
    assert "netkb check" in passed.stdout and "Passed" in passed.stdout


def hook_repository(tmp_path: Path) -> Path:
    """This repository's working tree as pre-commit would clone it (committed, with the
    hooks manifest), without the demo KB, tests and caches."""
    copy = tmp_path / "netkb-repo"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "netkb", copy / "netkb", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, copy / name)
    subprocess.run(["git", "init", "--quiet", str(copy)], check=True)
    git(copy, "add", "-A")
    git(copy, "commit", "--quiet", "-m", "hook")
    return copy


def wheelhouse(folder: Path) -> Path:
    """Wheels of netkb's dependencies (and of its build backend), packed again from what
    this environment has installed: pre-commit's own virtualenv installs from them with
    no index, so the test needs no network and no download."""
    from importlib import metadata

    from packaging.requirements import Requirement

    folder.mkdir()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(text).name for text in project["dependencies"]]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(name)
        for text in dist.requires or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
        repack(dist, folder)
    return folder


def repack(dist, folder: Path) -> None:
    """One installed distribution as a wheel file in ``folder``."""
    import base64
    import hashlib
    import zipfile

    files = [
        f
        for f in dist.files or ()
        if not f.as_posix().startswith("..")
        and "__pycache__" not in f.parts
        and f.name not in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
    ]
    info = next(f for f in dist.files if f.name == "WHEEL")
    tags = [
        line.split(":", 1)[1].strip().split("-")
        for line in Path(dist.locate_file(info)).read_text().splitlines()
        if line.startswith("Tag:")
    ]  # py2-none-any and py3-none-any make py2.py3-none-any
    tag = "-".join(".".join(dict.fromkeys(t[i] for t in tags)) for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    record_name = f"{info.parent.as_posix()}/RECORD"
    records = []
    with zipfile.ZipFile(folder / f"{name}-{dist.version}-{tag}.whl", "w") as wheel:
        for file in files:
            data = Path(dist.locate_file(file)).read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            records.append(f"{file.as_posix()},sha256={digest.decode()},{len(data)}")
            wheel.writestr(file.as_posix(), data)
        wheel.writestr(record_name, "\n".join([*records, f"{record_name},,"]) + "\n")


def test_pre_commit_installs_the_hook_from_its_repository_and_fails_a_broken_kb(kb_repo, tmp_path):
    """pre-commit clones the hook repository, builds netkb into a virtualenv of its own
    (from the wheels of this environment) and runs ``netkb check`` once."""
    hook_repo = hook_repository(tmp_path)
    wheels = wheelhouse(tmp_path / "wheels")
    # No index, and the build in the virtualenv's own setuptools (pip reads "0" as "do
    # not isolate"): offline, netkb's build requirements come from the virtualenv.
    env_extra = {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_NO_BUILD_ISOLATION": "0",
    }
    failed = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hook_repo), "netkb-check", "--all-files"],
        cwd=kb_repo,
        env={**os.environ, **env_extra, "PRE_COMMIT_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert (
        "contacts/jane-doe.md:3:6: error NK122: met 2024-02-30 is not a real calendar date"
        in failed.stdout
    )
    assert "- hook id: netkb-check" in failed.stdout
