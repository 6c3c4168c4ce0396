"""``load``'s cache for an editor: the files it has open are read from their unsaved text.

A language server checks what the user is typing, not what was last saved. This cache
is the one loader's option for that (``load(root, cache=BufferCache())``): every other
file is read from disk and kept in memory as in ``netkb serve``, an open file is parsed
from the editor's text with the same reader (``read_file``), so the problems are those
``netkb check`` would report if the file were saved as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from netkb.load.cache import MemoryCache
from netkb.load.loader import FileRead, read_file


@dataclass
class BufferCache(MemoryCache):
    """A ``MemoryCache`` whose open files (by key: ``contacts/jane.md``) come from text."""

    texts: dict[str, str] = field(default_factory=dict)
    # What each open file's text was read into, kept while the text stays the same.
    reads: dict[str, tuple[str, FileRead]] = field(default_factory=dict)

    def recall(self, folder: str, key: str, where: str, signature: str) -> FileRead | None:
        """The open file's text read as ``folder`` reads it; the disk cache otherwise."""
        text = self.texts.get(key)
        if text is None:
            return super().recall(folder, key, where, signature)
        self.seen.add(key)
        return self.read_text(folder, key, Path(where), text)

    def read_text(self, folder: str, key: str, path: Path, text: str) -> FileRead:
        """What ``text`` gives as the file ``path`` of ``folder`` (parsed once per text)."""
        hit = self.reads.get(key)
        if hit is not None and hit[0] == text:
            return hit[1]
        read = read_file(path, folder, text.encode("utf-8", "surrogatepass"))
        self.reads[key] = (text, read)
        return read

    def set_texts(self, texts: dict[str, str]) -> None:
        """The open files and their text now; closed files are read from disk again."""
        self.texts = dict(texts)
        for key in [k for k in self.reads if k not in self.texts]:
            del self.reads[key]
