"""Results remembered by a digest of everything they were computed from.

A slow, deterministic computation (the connectors' betweenness, the layout of the map)
gives the same result for the same input, so its result is kept by a digest of that
input: a new input has another digest and is computed afresh, never mistaken for the
old one. ``netkb serve`` asks again after every edit, in one process; ``netkb build``
hands the latest results to the next process through its build state (``latest`` and
``restore``, in ``netkb.build.incremental``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

Value = TypeVar("Value")


def digest_of(shape: Any) -> str:
    """A digest of ``shape`` (JSON-able: lists, strings, numbers). JSON is unambiguous for
    any text a file name may hold, and ASCII (lone surrogates too)."""
    return hashlib.sha256(json.dumps(shape).encode("ascii")).hexdigest()


class DigestMemo(Generic[Value]):
    """Up to ``kept`` results by digest, the least recently used dropped first.

    ``from_json`` turns what ``to_json`` made of a result back into one, or returns None
    for anything else: the state folder is a file like any other and may hold anything.
    """

    def __init__(
        self,
        kept: int,
        to_json: Callable[[Value], Any],
        from_json: Callable[[Any], Value | None],
    ) -> None:
        self.kept = kept
        self.to_json = to_json
        self.from_json = from_json
        self._results: dict[str, Value] = {}  # in the order of use, the latest last

    def get(self, digest: str) -> Value | None:
        """The result for ``digest``, if remembered (it becomes the latest used)."""
        result = self._results.pop(digest, None)
        if result is not None:
            self._results[digest] = result
        return result

    def put(self, digest: str, result: Value) -> None:
        """Remember ``result`` as the latest used."""
        self._results.pop(digest, None)
        self._results[digest] = result
        while len(self._results) > self.kept:
            del self._results[next(iter(self._results))]

    def latest(self) -> dict[str, Any]:
        """The latest result used, as JSON-able data by digest ({} when none)."""
        if not self._results:
            return {}
        digest = next(reversed(self._results))
        return {digest: self.to_json(self._results[digest])}

    def restore(self, known: Any) -> None:
        """Take results of an earlier process (what its ``latest`` gave); they count as
        older than any used in this one. What does not read as a result is skipped."""
        if not isinstance(known, Mapping):
            return
        earlier: dict[str, Value] = {}
        for digest, data in known.items():
            if isinstance(digest, str) and digest not in self._results:
                result = self.from_json(data)
                if result is not None:
                    earlier[digest] = result
        kept = list({**earlier, **self._results}.items())[-self.kept :]
        self._results = dict(kept)

    def clear(self) -> None:
        """Forget every result, as a new process starts without any."""
        self._results.clear()
