"""The ``photo`` field: an image file inside the knowledge base, never a URL.

A photo on another host would be fetched by every browser that opens the page (the site
loads nothing from elsewhere), so only a file in the KB is accepted; netkb copies it into
the site, and only for people who are not private.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

# The image types every browser shows, by file suffix.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
PHOTOS_DIR = "photos"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def kb_root_of(contact: Path) -> Path | None:
    """The KB a contact file belongs to: the folder holding the ``contacts/`` it is in."""
    for folder in reversed(contact.parents):
        if folder.name == "contacts" and (folder.parent / "mkdocs.yml").is_file():
            return folder.parent
    return None


def check_photo(value: str, contact: Path) -> tuple[str | None, str | None]:
    """``(path, None)`` for a usable photo (a POSIX path from the KB root), else
    ``(None, why)`` in the user's terms."""
    written = value.strip()
    if _SCHEME.match(written) or written.startswith("//"):
        return None, (
            f"photo must be an image file inside the knowledge base, not a URL ({written!r}): "
            "save the image under photos/ and write photo: photos/NAME.jpg"
        )
    relative = PurePosixPath(written.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None, (
            f"photo must be a path inside the knowledge base, from its top folder, "
            f"such as photos/jane-doe.jpg, not {written!r}"
        )
    suffix = relative.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        kinds = ", ".join(sorted(IMAGE_SUFFIXES))
        return None, f"photo {written!r} is not an image file netkb shows ({kinds})"
    root = kb_root_of(contact)
    if root is None:
        return str(relative), None  # not inside a KB (a file checked alone): the form is fine
    path = root / relative
    try:
        inside = path.resolve().is_relative_to(root.resolve())
        exists = path.is_file()
    except OSError:
        inside = exists = False
    if not inside:
        return None, f"photo {written!r} leads outside the knowledge base (a symbolic link?)"
    if not exists:
        return None, f"photo {written!r}: no such file in the knowledge base"
    return str(relative), None


def image_suffix(data: bytes) -> str | None:
    """The file suffix of an image by its first bytes (what it is, not what it claims)."""
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def site_photo(slug: str, photo: str) -> str:
    """Where a person's photo is copied in the generated folder (and so in the site).

    The templates write the same path (``_photo.md.j2``): keep the two alike.
    """
    return f"{PHOTOS_DIR}/{slug}{PurePosixPath(photo).suffix.lower()}"
