"""``netkb lsp`` under a client that speaks bad JSON-RPC: protocol errors, never a crash.

Raw bytes on the server's stdin, each reply read back from its stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def replies(output: bytes) -> list[dict]:
    """The JSON bodies of the framed messages in ``output``."""
    found = []
    while output:
        header, _, rest = output.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in header.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        found.append(json.loads(rest[:length]))
        output = rest[length:]
    return found


def request(number: int, method: str, params: object = None) -> bytes:
    message = {"jsonrpc": "2.0", "id": number, "method": method}
    if params is not None:
        message["params"] = params
    return frame(json.dumps(message).encode())


def test_malformed_messages_get_protocol_errors_and_the_server_keeps_serving(tmp_path):
    stdin = b"".join(
        [
            request(1, "initialize", {"capabilities": {}, "rootUri": None}),
            frame(b'{"jsonrpc": "2.0", "id": 2, "meth'),  # cut short
            frame(b"not json at all"),
            request(3, "netkb/unknown", {}),
            request(4, "textDocument/hover", {"bogus": 1}),  # params of no hover
            request(5, "textDocument/completion", {"textDocument": {"uri": "file:///nowhere.md"}}),
            request(6, "shutdown"),
            frame(b'{"jsonrpc": "2.0", "method": "exit"}'),
        ]
    )
    done = subprocess.run(
        [sys.executable, "-m", "netkb", "lsp"],
        input=stdin,
        capture_output=True,
        cwd=tmp_path,  # no knowledge base here: the server still answers
        timeout=60,
    )

    answers = replies(done.stdout)
    by_id = {a.get("id"): a for a in answers if "id" in a}
    assert done.returncode == 0
    assert by_id[1]["result"]["serverInfo"]["name"] == "netkb"
    parse_errors = [a for a in answers if a.get("error", {}).get("code") == -32700]
    assert [a["id"] for a in parse_errors] == [None, None]
    assert by_id[3]["error"]["code"] == -32601  # method not found
    assert by_id[4]["error"]["code"] == -32602  # invalid params
    assert by_id[5]["error"]["code"] == -32602  # no position
    assert by_id[6] == {"id": 6, "jsonrpc": "2.0", "result": None}  # still serving
