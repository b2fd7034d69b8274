"""A .docx package read within bounds, before python-docx sees it.

A .docx is a zip, and a zip's directory can lie: a member declared as a few kilobytes may inflate
to gigabytes (Python's zipfile inflates up to 2 GiB in one call when a member is read whole, and
only then finds the CRC wrong). So the directory is checked first (parts, declared sizes), then
each member is inflated in small steps through a stream that stops at its declared size and at
``MAX_PART_BYTES``, and its XML counted: a document of millions of empty paragraphs is tiny
zipped and costs gigabytes as python-docx objects, so more than ``MAX_XML_ELEMENTS`` elements in
all is refused before anything is parsed. python-docx then reads the checked parts, stored
uncompressed in a new zip whose sizes are true.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from index.errors import BadArticle

MAX_PART_BYTES = 32 * 1024 * 1024  # the XML of 2,000,000 characters of text, with room to spare
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_MEMBERS = 10_000
# XML elements in all parts: a 2,000,000-character document written by Word has a few hundred
# thousand (paragraphs, runs, their properties); each costs about 170 bytes parsed.
MAX_XML_ELEMENTS = 1_000_000
_STEP = 1 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "is encrypted: remove the password first (e.g. save or print it without one)"


def checked_package(raw: bytes, source: str) -> io.BytesIO:
    """The package's parts, each read within its bounds, as a zip python-docx can open;
    BadArticle naming what is wrong otherwise."""
    if raw.startswith(_OLE_MAGIC):  # Office's encrypted files and old .doc share this container
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise BadArticle(source, ENCRYPTED)
        raise BadArticle(source, "is an old Word (.doc) file, not .docx: save it as .docx")
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadArticle(source, f"is damaged or truncated: not a readable .docx ({exc})") from exc
    _check_directory(members, source)
    out = io.BytesIO()
    elements = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as checked:
        for member in members:
            if member.is_dir():
                continue
            data = _read_capped(package, member, source)
            if member.filename.endswith((".xml", ".rels")):
                elements += data.count(b"<") - data.count(b"</") - data.count(b"<?")
                if elements > MAX_XML_ELEMENTS:
                    raise BadArticle(source, f"holds more than {MAX_XML_ELEMENTS:,} XML elements "
                                     f"(by {member.filename}): far more than an article's; "
                                     "open and save it again, or split it")
            checked.writestr(member.filename, data)
    out.seek(0)
    return out


def _check_directory(members: list[zipfile.ZipInfo], source: str) -> None:
    """What the zip directory declares: refused before anything is unpacked."""
    if len(members) > MAX_MEMBERS:
        raise BadArticle(source, f"holds {len(members):,} parts, over the {MAX_MEMBERS:,}-part "
                         "limit for a .docx")
    biggest = max(members, key=lambda m: m.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_PART_BYTES:
        raise BadArticle(source, f"unpacks {biggest.filename} to {biggest.file_size:,} bytes, "
                         f"over the {MAX_PART_BYTES:,}-byte limit per part (a zip bomb, "
                         "or far more than an article)")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise BadArticle(source, f"unpacks to {total:,} bytes, over the "
                         f"{MAX_UNPACKED_BYTES:,}-byte limit; remove large images or split it")


def _read_capped(package: zipfile.ZipFile, member: zipfile.ZipInfo, source: str) -> bytes:
    """The member's bytes, inflated a megabyte at a time: never more than it declares (nor
    MAX_PART_BYTES); a member that holds more fails its CRC check and is refused as damaged."""
    cap = min(member.file_size, MAX_PART_BYTES)
    parts: list[bytes] = []
    size = 0
    try:
        with package.open(member) as stream:
            while True:
                block = stream.read(_STEP)
                if not block:
                    break
                size += len(block)
                if size > cap:
                    raise BadArticle(source, f"{member.filename} unpacks to more than the "
                                     f"{cap:,} bytes its zip directory declares (a zip bomb)")
                parts.append(block)
    except zipfile.BadZipFile as exc:  # more data than declared ends here, as a wrong CRC
        raise BadArticle(source, f"{member.filename} does not unpack to what its zip directory "
                         f"declares ({exc}): a zip bomb, or a damaged file") from exc
    except (zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise BadArticle(source, f"is damaged or truncated: {member.filename} cannot be "
                         f"unpacked ({exc}); open and save it again") from exc
    return b"".join(parts)
