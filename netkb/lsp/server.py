"""The language server: pygls over stdio, wired to a ``Session``.

Edits and saves only record that something changed; one debounced task loads the KB
again in a worker thread (a load never blocks an answer) and then publishes the
problems of every file whose problems changed, so a fix in one file clears a
dangling reference reported in another. A load that fails is reported to the editor
and the server keeps serving the last good state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import json
import traceback
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcParseError,
)
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from netkb import __version__
from netkb.core.problems import Problem
from netkb.load.loader import ALL_FOLDERS, find_root
from netkb.lsp.positions import UTF16
from netkb.lsp.session import Session, State

#: How long edits settle before the KB is loaded again (typing is bursts of keys).
DEBOUNCE_SECONDS = 0.15
TRIGGERS = ["[", " ", ",", "-"]


class _Answered(Exception):
    """A request that could not be read and was already answered with a protocol error."""


class NetkbProtocol(LanguageServerProtocol):
    """pygls' protocol, answering a request it cannot read with a JSON-RPC error.

    pygls reports a request whose params do not fit the method to the user and never
    answers it, so the editor would wait for ever; JSON-RPC says to answer -32602.
    (This module is the one place netkb uses pygls' internals: ``_send_response``,
    ``_send_data``.)
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except (JsonRpcInvalidParams, JsonRpcInternalError) as exc:
            if "id" not in data or "method" not in data:
                raise
            self._send_response(data["id"], error=exc.to_response_error())
            raise _Answered from exc


class NetkbServer(LanguageServer):
    """pygls' server with the knowledge base it serves."""

    def __init__(self) -> None:
        super().__init__("netkb", __version__, protocol_cls=NetkbProtocol)
        self.session: Session | None = None
        self.fallback: Path | None = None  # where to look when the workspace is no KB
        self.published: dict[Path, list[lsp.Diagnostic]] = {}
        self.pending: asyncio.TimerHandle | None = None
        self.running: asyncio.Future[tuple[State, dict[Path, list[lsp.Diagnostic]]]] | None = None
        self.again = False
        self.full = True  # the next load reads everything (else only ``edited``)
        self.edited: set[str] = set()  # open files typed in since the last load, by key
        # Each file's problems as last laid out for the editor, while they stay the same.
        self.laid_out: dict[Path, tuple[list[Problem], list[lsp.Diagnostic]]] = {}
        self.announced = False
        self.task: asyncio.Future[State | None] | None = None
        self.worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="netkb-load")

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A message that is not JSON gets JSON-RPC's parse error (-32700, no id), one
        already answered nothing more; anything else is shown as pygls shows it."""
        if isinstance(error, _Answered):
            return
        if isinstance(error, json.JSONDecodeError):
            parse_error = JsonRpcParseError()
            answer = {"code": parse_error.code, "message": parse_error.message}
            self.protocol._send_data({"jsonrpc": "2.0", "id": None, "error": answer})
            return
        super().report_server_error(error, source)

    # -- where things are --------------------------------------------------------------

    def adopt_root(self, start: Path) -> None:
        """Serve the KB at or above ``start`` (the first one found is kept)."""
        if self.session is None:
            root = find_root(start)
            if root is not None:
                self.session = Session(root, encoding=self.position_encoding())

    def position_encoding(self) -> str:
        """The encoding of columns the client and pygls agreed on (UTF-16 before that)."""
        try:
            return str(self.workspace.position_encoding or UTF16)
        except RuntimeError:  # not initialised yet: --kb adopts the KB before that
            return UTF16

    def path_of(self, uri: str) -> Path | None:
        """The file a ``file:`` URI names; None for other URIs."""
        found = to_fs_path(uri)
        return Path(found).resolve() if found and uri.startswith("file:") else None

    def open_texts(self) -> dict[str, str]:
        """The text of every open file of the KB, by key (``contacts/jane.md``)."""
        texts = {}
        if self.session is None:
            return texts
        for uri, document in self.workspace.text_documents.items():
            path = self.path_of(uri)
            key = self.session.key_of(path) if path else None
            if key is not None:
                texts[key] = document.source
        return texts

    # -- loading -------------------------------------------------------------------------

    def changed(self, typed_in: str | None = None) -> None:
        """Something changed: load again once edits settle. ``typed_in``: the URI of the
        open file that was typed in (its problems are checked at once, the problems
        between records on the next save); None: anything else, load everything."""
        if self.session is None:
            return
        path = self.path_of(typed_in) if typed_in else None
        key = self.session.key_of(path) if path else None
        if key is None:
            self.full = True
        else:
            self.edited.add(key)
        loop = asyncio.get_running_loop()
        if self.pending is not None:
            self.pending.cancel()
        self.pending = loop.call_later(DEBOUNCE_SECONDS, self._start_refresh)

    def _start_refresh(self) -> None:
        self.pending = None
        if self.running is not None and not self.running.done():
            self.again = True  # the load under way may have missed this change
            return
        self.task = asyncio.ensure_future(self.refresh())

    async def refresh(self) -> State | None:
        """Load the KB (in the worker thread) and publish what changed."""
        session = self.session
        if session is None:
            return None
        loop = asyncio.get_running_loop()
        full, edited = self.full, self.edited
        self.full, self.edited = False, set()
        self.running = loop.run_in_executor(
            self.worker, self.load, session, self.open_texts(), full, edited
        )
        try:
            state, diagnostics = await self.running
            self.publish(diagnostics)
            if not self.announced:
                self.announced = True
                network = state.network
                self.window_log_message(
                    lsp.LogMessageParams(
                        lsp.MessageType.Info,
                        f"netkb: serving {network.root}: {len(network.people):,} people, "
                        f"{len(network.problems):,} problems",
                    )
                )
        except Exception:  # reported to the editor; the last good state keeps serving
            self.window_log_message(
                lsp.LogMessageParams(
                    lsp.MessageType.Error, f"netkb: loading failed:\n{traceback.format_exc()}"
                )
            )
            return None
        if self.again:
            self.again = False
            self.changed()
        return state

    def load(
        self, session: Session, texts: dict[str, str], full: bool, edited: set[str]
    ) -> tuple[State, dict[Path, list[lsp.Diagnostic]]]:
        """Load the KB (all of it, or the ``edited`` open files) and lay out every file's
        problems for the editor; in the worker thread: answers keep coming meanwhile."""
        state = session.refresh(texts) if full else session.edit(texts, edited)
        opened = {session.root / key for key in texts}
        diagnostics = {}
        for path, problems in session.problems(state).items():
            known = self.laid_out.get(path)
            if known is None or known[0] != problems or path in opened:
                known = (problems, session.diagnostics(state, path, problems))
                self.laid_out[path] = known
            diagnostics[path] = known[1]
        for path in set(self.laid_out) - set(diagnostics):
            del self.laid_out[path]
        for key in state.texts:
            diagnostics.setdefault(session.root / key, [])  # an open file hears it is clean
        # A full collection over a million records takes the interpreter for a third of a
        # second, in whichever thread triggers it (a completion, say). The records hold no
        # cycles: keep the collector off them; reference counting frees old states.
        gc.freeze()
        return state, diagnostics

    def publish(self, now: dict[Path, list[lsp.Diagnostic]]) -> None:
        """Send the problems of every file whose problems changed (empty ones clear)."""
        for path in set(self.published) | set(now):
            diagnostics = now.get(path, [])
            if self.published.get(path) != diagnostics:
                self.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=path.as_uri(), diagnostics=diagnostics)
                )
        self.published = now

    async def watch_files(self) -> None:
        """Ask the editor to say when a file of contacts/, orgs/ or log/ changes on disk
        (git pull, another program); without it, saves and edits still refresh."""
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if not (watched and watched.dynamic_registration):
            return
        watchers = [
            lsp.FileSystemWatcher(glob_pattern=f"**/{folder}/**/*.md") for folder in ALL_FOLDERS
        ]
        registration = lsp.Registration(
            id="netkb-files",
            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers),
        )
        try:
            await self.client_register_capability_async(lsp.RegistrationParams([registration]))
        except JsonRpcException as exc:  # the editor declined: edits and saves still refresh
            self.window_log_message(
                lsp.LogMessageParams(lsp.MessageType.Warning, f"netkb: no file watching: {exc}")
            )

    def ask(self, uri: str) -> tuple[Session, State, Path, str] | None:
        """What a question about the document ``uri`` is answered from; None for a file
        outside contacts/, orgs/ and log/ (netkb has nothing to say about it)."""
        session, path = self.session, self.path_of(uri)
        if session is None or session.state is None or path is None:
            return None
        if session.key_of(path) is None:
            return None
        return session, session.state, path, self.workspace.get_text_document(uri).source


def make_server() -> NetkbServer:
    """A new server with every feature netkb offers."""
    server = NetkbServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: NetkbServer, params: lsp.InitializeParams) -> None:
        """Find the KB of the workspace (else of the first file opened)."""
        folders = [f.uri for f in params.workspace_folders or []]
        for uri in [*folders, params.root_uri or ""]:
            path = ls.path_of(uri) if uri else None
            if path is not None:
                ls.adopt_root(path)
        if ls.fallback is not None:
            ls.adopt_root(ls.fallback)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: NetkbServer, _params: lsp.InitializedParams) -> None:
        """Read the KB once, publish its problems, and ask to hear of changed files."""
        if ls.session is not None:  # columns in what the client and pygls agreed on
            ls.session.encoding = ls.position_encoding()
        await ls.refresh()
        await ls.watch_files()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: NetkbServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if ls.session is None and path is not None:
            ls.adopt_root(path.parent)
            await ls.refresh()
            return
        ls.changed()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NetkbServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.changed(typed_in=params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: NetkbServer, _params: lsp.DidSaveTextDocumentParams) -> None:
        ls.changed()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NetkbServer, _params: lsp.DidCloseTextDocumentParams) -> None:
        ls.changed()  # the file is read from disk again

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: NetkbServer, _params: lsp.DidChangeWatchedFilesParams) -> None:
        ls.changed()

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGERS)
    )
    def completion(ls: NetkbServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        asked = ls.ask(params.text_document.uri)
        if asked is None:
            return None
        session, state, path, text = asked
        return session.complete(state, path, text, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: NetkbServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        asked = ls.ask(params.text_document.uri)
        if asked is None:
            return None
        session, state, path, text = asked
        return session.definition(state, path, text, params.position) or None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: NetkbServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        asked = ls.ask(params.text_document.uri)
        if asked is None:
            return None
        session, state, path, text = asked
        declaration = params.context.include_declaration
        return session.references(state, path, text, params.position, declaration) or None

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: NetkbServer, params: lsp.HoverParams) -> lsp.Hover | None:
        asked = ls.ask(params.text_document.uri)
        if asked is None:
            return None
        session, state, path, text = asked
        return session.hover(state, path, text, params.position)

    return server


def serve_stdio() -> None:
    """Serve on stdin/stdout until the editor says exit."""
    make_server().start_io()
