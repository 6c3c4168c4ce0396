"""``netkb lsp`` end to end: the real server over stdio, driven by pytest-lsp's client,
against a copy of the demo knowledge base at the top of the repository."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from click.testing import CliRunner
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from netkb.cli import cli

REPO = Path(__file__).resolve().parent.parent
DEMO = ("contacts", "orgs", "log", "templates", "photos")

JANE = """\
---
name: Jane Doe
organization: Acme Corp
circle: 2
---
Met [[Ana Jansen]] at the fair.
"""
ANA = """\
---
name: Ana Jansen
organization: Globex
---
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """The demo KB, plus Jane Doe and Ana Jansen (whose name, not slug, starts with "ja")."""
    root = tmp_path / "kb"
    root.mkdir()
    for folder in DEMO:
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "contacts" / "jane-doe.md").write_text(JANE, encoding="utf-8")
    (root / "contacts" / "ana-jansen.md").write_text(ANA, encoding="utf-8")
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "netkb", "lsp"]),
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    root: Path = request.getfixturevalue("kb")
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="kb")],
        )
    )
    await wait_until_loaded(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "netkb", "lsp"]),
)
async def utf8_client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    """A client that counts columns in UTF-8 bytes (as Neovim prefers)."""
    root: Path = request.getfixturevalue("kb")
    accept_registrations(lsp_client)
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = lsp.GeneralClientCapabilities(
        position_encodings=[lsp.PositionEncodingKind.Utf8]
    )
    await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=capabilities, root_uri=root.as_uri())
    )
    await wait_until_loaded(lsp_client)
    yield
    await lsp_client.shutdown_session()


def accept_registrations(client: LanguageClient) -> None:
    """Answer the server's request to watch files, as an editor does."""

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(_client: LanguageClient, params: lsp.RegistrationParams) -> None:
        client.registrations = [*getattr(client, "registrations", []), *params.registrations]


async def wait_until_loaded(client: LanguageClient) -> None:
    """The server says when it has read the KB once."""
    for _ in range(400):
        if any(m.message.startswith("netkb: serving") for m in client.log_messages):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the server never said it was ready: {client.log_messages}")


def open_file(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", version, text))
    )
    return uri


def change_file(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_for(client: LanguageClient, uri: str, wanted, seconds: float = 10):
    """Wait until the diagnostics published for ``uri`` satisfy ``wanted``."""
    for _ in range(int(seconds / 0.05)):
        found = client.diagnostics.get(uri)
        if found is not None and wanted(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"diagnostics for {uri}: {client.diagnostics.get(uri)}")


async def completion(client: LanguageClient, uri: str, line: int, character: int):
    # The edit reaches the server's load after a short debounce; completion reads the text.
    return await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, character))
    )


@pytest.mark.asyncio
async def test_typing_with_ja_in_a_log_file_offers_jane_doe_first(client, kb):
    text = "---\ndate: 2026-11-20\nwith: [ja\n"
    uri = open_file(client, kb / "log" / "2026" / "new.md", text)

    result = await completion(client, uri, 2, len("with: [ja"))

    assert result.items[0].label == "jane-doe"
    assert result.items[0].detail == "Jane Doe · Acme Corp · circle 2"
    assert result.items[0].text_edit.new_text == "jane-doe"
    assert result.items[0].text_edit.range == lsp.Range(lsp.Position(2, 7), lsp.Position(2, 9))
    labels = [item.label for item in result.items]
    assert "ana-jansen" in labels  # her name starts with "ja", her slug does not
    assert labels.index("ana-jansen") > labels.index("jane-doe")
    assert [i.sort_text for i in result.items] == sorted(i.sort_text for i in result.items)


@pytest.mark.asyncio
async def test_completion_in_relations_introduced_by_and_wikilinks(client, kb):
    text = (
        "---\nname: Kai\nintroduced_by: ana-j\nrelations:\n  colleague: [jane-d\n  fri\n"
        "---\nAsk [[Jane\n"
    )
    uri = open_file(client, kb / "contacts" / "kai.md", text)

    introduced = await completion(client, uri, 2, len("introduced_by: ana-j"))
    colleague = await completion(client, uri, 4, len("  colleague: [jane-d"))
    relation = await completion(client, uri, 5, len("  fri"))
    wikilink = await completion(client, uri, 7, len("Ask [[Jane"))
    field = await completion(client, uri, 1, 2)

    assert introduced.items[0].label == "ana-jansen"
    assert colleague.items[0].label == "jane-doe"
    assert [i.label for i in relation.items] == ["friend"]
    assert wikilink.items[0].label == "jane-doe"  # by her name: "Jane"
    assert wikilink.items[0].text_edit.range.start == lsp.Position(7, 6)
    assert [i.label for i in field.items] == ["name"]  # "na" typed before the cursor


@pytest.mark.asyncio
async def test_closed_values_kind_favor_circle(client, kb):
    text = "---\ndate: 2026-11-20\nwith: [jane-doe]\nkind: co\nfavor: \n---\n"
    uri = open_file(client, kb / "log" / "2026" / "values.md", text)
    person = open_file(client, kb / "contacts" / "lee.md", "---\nname: Lee\ncircle: \n---\n")

    kind = await completion(client, uri, 3, len("kind: co"))
    favor = await completion(client, uri, 4, len("favor: "))
    circle = await completion(client, person, 2, len("circle: "))

    assert [i.label for i in kind.items] == ["coffee"]
    assert [i.label for i in favor.items] == ["given", "received"]
    assert [(i.label, i.detail) for i in circle.items][:2] == [
        ("1", "inner circle"),
        ("2", "close"),
    ]


@pytest.mark.asyncio
async def test_a_misspelled_slug_is_nk140_where_check_reports_it(client, kb):
    # An astral character (two UTF-16 units) before the slug: the columns differ.
    text = '---\ndate: 2026-11-20\nwith: ["𝔄", jane-deo]\n---\n'
    path = kb / "log" / "2026" / "typo.md"
    path.write_text(text, encoding="utf-8")  # as check sees it
    checked = CliRunner().invoke(cli, ["--kb", str(kb), "check", "--format", "json"])
    reported = [
        (p["line"], p["column"]) for p in json.loads(checked.output) if p["code"] == "NK140"
    ]
    assert reported == [(3, 8), (3, 13)]  # what `netkb check` says, from 1, in characters

    uri = open_file(client, path, text)
    found = await diagnostics_for(client, uri, lambda d: len(d) == 2)

    assert {d.code for d in found} == {"NK140"}
    starts = sorted((d.range.start.line, d.range.start.character) for d in found)
    assert starts == [(2, 7), (2, 13)]  # 0-based line; "𝔄" counts two UTF-16 units
    jane = next(d for d in found if d.range.start.character == 13)
    assert jane.range.end == lsp.Position(2, 21)  # the slug "jane-deo"
    assert "did you mean 'jane-doe'" in jane.message
    assert jane.severity == lsp.DiagnosticSeverity.Error


@pytest.mark.asyncio
async def test_a_client_counting_utf8_bytes_gets_byte_columns(utf8_client, kb):
    text = '---\ndate: 2026-11-20\nwith: ["𝔄é", jane-deo]\n---\n'
    uri = open_file(utf8_client, kb / "log" / "2026" / "bytes.md", text)
    found = await diagnostics_for(utf8_client, uri, lambda d: len(d) == 2)
    jane = max(found, key=lambda d: d.range.start.character)
    # 'with: ["' 8 bytes, 𝔄 4, é 2, '", ' 3: the slug starts at byte 17.
    assert (jane.range.start, jane.range.end) == (lsp.Position(2, 17), lsp.Position(2, 25))
    result = await completion(utf8_client, uri, 2, 19)  # after "ja" of "jane-deo"
    assert result.items[0].label == "jane-doe"
    assert result.items[0].text_edit.range == lsp.Range(lsp.Position(2, 17), lsp.Position(2, 25))


@pytest.mark.asyncio
async def test_diagnostics_follow_the_buffer_and_other_files(client, kb):
    log = kb / "log" / "2026" / "later.md"
    text = "---\ndate: 2026-11-20\nwith: [kai-berg]\n---\n"
    uri = open_file(client, log, text)
    await diagnostics_for(client, uri, lambda d: [x.code for x in d] == ["NK140"])

    (watching,) = client.registrations  # the server asked to hear of changed records
    watchers = watching.register_options["watchers"]
    assert watching.method == "workspace/didChangeWatchedFiles"
    assert [w["globPattern"] for w in watchers] == [
        "**/contacts/**/*.md",
        "**/orgs/**/*.md",
        "**/log/**/*.md",
    ]

    # Kai's file is created on disk by another program: the dangling slug resolves.
    (kb / "contacts" / "kai-berg.md").write_text("---\nname: Kai Berg\n---\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent((kb / "contacts" / "kai-berg.md").as_uri(), lsp.FileChangeType.Created)]
        )
    )
    await diagnostics_for(client, uri, lambda d: len(d) == 0)

    # Typing a typo brings it back, unsaved.
    change_file(client, uri, text.replace("kai-berg", "kai-brg"), 2)
    found = await diagnostics_for(client, uri, lambda d: len(d) == 1)
    assert found[0].code == "NK140"
    assert "did you mean 'kai-berg'" in found[0].message


@pytest.mark.asyncio
async def test_definition_references_and_hover_on_a_slug(client, kb):
    text = "---\ndate: 2026-11-20\nwith: [jane-doe]\n---\n"
    log = kb / "log" / "2026" / "jane.md"
    log.write_text(text, encoding="utf-8")
    uri = open_file(client, log, text)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    at = lsp.Position(2, 9)  # inside "jane-doe"
    doc = lsp.TextDocumentIdentifier(uri)

    definition = await client.text_document_definition_async(lsp.DefinitionParams(doc, at))
    references = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc, position=at, context=lsp.ReferenceContext(include_declaration=True)
        )
    )
    hover = await client.text_document_hover_async(lsp.HoverParams(doc, at))

    jane = (kb / "contacts" / "jane-doe.md").as_uri()
    assert [(d.uri, d.range.start.line) for d in definition] == [(jane, 0)]
    places = sorted((r.uri, r.range.start.line, r.range.start.character) for r in references)
    assert places == sorted([(jane, 0, 0), (uri, 2, 7)])
    assert hover.contents.value.startswith("Jane Doe (jane-doe) — Acme Corp · circle 2 (close)")


@pytest.mark.asyncio
async def test_definition_references_and_hover_on_a_wikilink(client, kb):
    jane = kb / "contacts" / "jane-doe.md"
    uri = open_file(client, jane, JANE)
    at = lsp.Position(5, 8)  # inside "[[Ana Jansen]]" (resolved by her name)
    doc = lsp.TextDocumentIdentifier(uri)

    definition = await client.text_document_definition_async(lsp.DefinitionParams(doc, at))
    references = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=doc, position=at, context=lsp.ReferenceContext(include_declaration=False)
        )
    )
    hover = await client.text_document_hover_async(lsp.HoverParams(doc, at))
    org = await client.text_document_hover_async(
        lsp.HoverParams(doc, lsp.Position(5, 4))  # on "Met", nothing
    )

    ana = (kb / "contacts" / "ana-jansen.md").as_uri()
    assert [d.uri for d in definition] == [ana]
    assert [(r.uri, r.range.start.line, r.range.start.character) for r in references] == [
        (uri, 5, 4)
    ]
    assert references[0].range.end == lsp.Position(5, 18)  # the whole [[Ana Jansen]]
    assert hover.contents.value.startswith("Ana Jansen (ana-jansen) — Globex")
    assert org is None


@pytest.mark.asyncio
async def test_a_broken_file_keeps_the_server_alive(client, kb):
    broken = "---\nname: [Jane\nwith: {{{\n\x00"
    uri = open_file(client, kb / "contacts" / "broken.md", broken)
    found = await diagnostics_for(client, uri, lambda d: len(d) >= 1)
    assert found[0].severity == lsp.DiagnosticSeverity.Error

    # Half-typed YAML everywhere the cursor can be: answers, never a crash.
    for line in range(5):
        for character in range(12):
            at = lsp.Position(line, character)
            await completion(client, uri, line, character)
            await client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri), at)
            )
    change_file(client, uri, "---\nname: Fixed\n---\n", 2)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    result = await completion(client, uri, 1, 2)
    assert [i.label for i in result.items] == ["name"]


@pytest.mark.asyncio
async def test_files_outside_the_record_folders_get_nothing(client, kb):
    uri = open_file(client, kb / "templates" / "notes.md", "---\nwith: [ja\n---\n[[Jane\n")
    assert await completion(client, uri, 1, len("with: [ja")) is None
    assert await completion(client, uri, 3, len("[[Jane")) is None
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 3))
    )
    assert hover is None
