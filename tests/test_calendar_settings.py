"""The calendar import's settings: read from extra.netkb, each bad value a located
problem (NK160) that names the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from netkb.load.calendar_settings import owner_zone
from netkb.load.settings import read_settings


def settings_of(tmp_path: Path, lines: str):
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: T\nextra:\n  netkb:\n    owner: Me\n{lines}", encoding="utf-8")
    return read_settings(config)


def test_the_settings_are_read(tmp_path):
    settings, problems = settings_of(
        tmp_path,
        "    owner_emails: [Pablo@Example.org, pablo@work.example]\n"
        "    timezone: America/Los_Angeles\n"
        "    calendar_kinds: {golf: [golf, Tee  Time], sailing: regatta}\n",
    )
    assert problems == []
    assert settings.owner_emails == ("pablo@example.org", "pablo@work.example")
    assert settings.timezone == "America/Los_Angeles"
    assert dict(settings.calendar_kinds) == {"golf": ("golf", "tee time"), "sailing": ("regatta",)}
    assert str(owner_zone(settings.timezone)) == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "    owner_emails: [pablo, pablo@example.org]\n",
            "owner_emails: 'pablo' is not an email address",
        ),
        (
            "    timezone: Mars/Olympus\n",
            "timezone: 'Mars/Olympus' is not a time zone name such as Europe/Berlin or "
            "America/Los_Angeles",
        ),
        (
            "    timezone: ../../etc/passwd\n",
            "timezone: '../../etc/passwd' is not a time zone name",
        ),
        (
            "    calendar_kinds: [golf]\n",
            "calendar_kinds must map a kind to title words, like {golf: [golf, tee time]}",
        ),
        (
            "    calendar_kinds: {golf: []}\n",
            "calendar_kinds golf: list the words of a title that mean golf, like [golf, tee time]",
        ),
    ],
)
def test_a_bad_value_is_a_located_problem(tmp_path, line, message):
    _, problems = settings_of(tmp_path, line)
    assert [(p.line, p.code) for p in problems] == [(5, "NK160")]
    assert problems[0].message.startswith(message)


def test_a_bad_timezone_falls_back_to_the_machines(tmp_path, monkeypatch):
    settings, _ = settings_of(tmp_path, "    timezone: Mars/Olympus\n")
    assert settings.timezone is None
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert str(owner_zone(settings.timezone)) == "Asia/Tokyo"


def test_site_url_comes_from_mkdocs_yml_when_it_is_a_web_address(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: T\nsite_url: https://net.example.org/kb/\n", encoding="utf-8")
    assert read_settings(config)[0].site_url == "https://net.example.org/kb/"
    config.write_text("site_name: T\nsite_url: javascript:alert(1)\n", encoding="utf-8")
    assert read_settings(config)[0].site_url is None
