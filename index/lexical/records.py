"""The chunks behind the lexical index's hits, kept beside tantivy in append-only files.

tantivy stores nothing of a chunk but a key (a fast field): the number of a records file and the
byte offset of the chunk's record in it. A record is a header (how many distinct terms, how many
terms, the JSON's length), the distinct terms as 64-bit hashes, their counts, and the chunk as
JSON (id, text, metadata). Reading a hit is a slice of a memory-mapped file (reading tantivy's
compressed document store cost ~50 µs a hit), and the final BM25 finds the question's terms in
the hits' hashes with one numpy pass instead of searching each hit's text for each term. Two
different terms with the same 64-bit hash (blake2b) would be counted as one: with a vocabulary
of a million terms the odds that any pair collides are below 10⁻⁷.

``records-<token>-<n>.bin``: the token is drawn when the folder is created, so the files of a
folder rebuilt by another process are never mistaken for the ones mapped here. Records are only
ever appended, and written and fsynced before the tantivy commit that refers to them: a record a
committed chunk points at is complete and never changes; a crash before that commit leaves bytes
nothing points at. Replaced and removed chunks leave their records behind; when the file holds
more than twice what is live, the next update writes the live chunks to a new file
(``compacting``) and deletes the files before the one it replaced (that one is kept for
searchers still reading it).
"""

from __future__ import annotations

import json
import mmap
import os
import secrets
import struct
from array import array
from collections import Counter
from collections.abc import Sequence
from hashlib import blake2b
from pathlib import Path
from typing import Any

_SHIFT = 40  # key = file number << 40 | offset
_MASK = (1 << _SHIFT) - 1
_HEAD = struct.Struct("<III")  # distinct terms, terms, JSON bytes
_SLACK = 4_000_000  # bytes of dead records always tolerated before compacting


def loads(raw: bytes) -> dict[str, Any]:
    """A record's JSON (orjson: half json's time; json for what orjson refuses, e.g. NaN)."""
    import orjson

    try:
        return orjson.loads(raw)  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return json.loads(raw)  # type: ignore[no-any-return]


def term_hash(term: str) -> int:
    return int.from_bytes(blake2b(term.encode(), digest_size=8).digest(), "little")


def encode(terms: Sequence[str], chunk_id: str, text: str, metadata: dict[str, Any],
           hashes: dict[str, int]) -> bytes:
    """One chunk's record; ``hashes`` caches term hashes across calls."""
    counts = Counter(terms)
    keys = array("Q", [hashes[t] if t in hashes else hashes.setdefault(t, term_hash(t))
                       for t in counts])
    record = json.dumps({"id": chunk_id, "text": text, "metadata": metadata},
                        ensure_ascii=False).encode()
    return b"".join((_HEAD.pack(len(counts), len(terms), len(record)), keys.tobytes(),
                     array("I", counts.values()).tobytes(), record))


class Records:
    """The record files of one folder (``path`` None: buffers in memory)."""

    def __init__(self, path: Path | None, token: str | None = None) -> None:
        self.path = path
        self.token = token or secrets.token_hex(6)
        self._maps: dict[int, Any] = {}  # file number → its mapping (in memory: its buffer)
        if path is None:
            self._maps[0] = bytearray()
        self.number = max(self.numbers(), default=0)  # the file appended to

    def file(self, number: int) -> Path:
        assert self.path is not None
        return self.path / f"records-{self.token}-{number}.bin"

    def numbers(self) -> list[int]:
        if self.path is None:
            return sorted(self._maps)
        prefix = f"records-{self.token}-"
        return sorted(int(p.name[len(prefix):-4]) for p in self.path.glob(f"{prefix}*.bin"))

    def size(self) -> int:
        if self.path is None:
            return len(self._maps[self.number])
        try:
            return self.file(self.number).stat().st_size
        except FileNotFoundError:
            return 0

    # -- reading -------------------------------------------------------------------------------

    def get(self, key: int) -> tuple[int, bytes, bytes, bytes]:
        """(number of terms, distinct terms' hashes, their counts, JSON) of the record at
        ``key``."""
        number, offset = key >> _SHIFT, key & _MASK
        data = self._maps.get(number)
        if data is None or len(data) < offset + _HEAD.size:
            data = self._map(number)  # appended since it was mapped
        distinct, length, size = _HEAD.unpack_from(data, offset)
        start = offset + _HEAD.size
        counts = start + 8 * distinct
        end = counts + 4 * distinct + size
        if len(data) < end:
            data = self._map(number)
            if len(data) < end:
                raise ValueError(f"no record at {offset} of records file {number}")
        return length, data[start:counts], data[counts:counts + 4 * distinct], data[end - size:end]

    def _map(self, number: int) -> Any:
        if self.path is None:
            return self._maps[number]
        with self.file(number).open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self._maps[number] = data
        return data

    # -- writing (under tantivy's writer lock) -------------------------------------------------

    def wasteful(self, live: int) -> bool:
        """Whether the current file holds more than twice the ``live`` bytes (and some slack)."""
        return self.size() > 2 * live + _SLACK

    def compacting(self) -> None:
        """Append to a new file from now on (the caller then adds every live chunk again)."""
        self.number = max(self.numbers(), default=0) + 1
        if self.path is not None:
            self.file(self.number).touch()
        else:
            self._maps[self.number] = bytearray()

    def drop_old(self) -> None:
        """Delete the files before the one the last compaction replaced (after its commit)."""
        for number in self.numbers():
            if number < self.number - 1:
                if self.path is not None:
                    self.file(number).unlink(missing_ok=True)
                self._maps.pop(number, None)

    def append(self, records: list[bytes]) -> list[int]:
        """Write ``records`` (fsynced) and return their keys."""
        if self.path is None:
            start = len(self._maps[self.number])
            self._maps[self.number] += b"".join(records)
        else:
            with self.file(self.number).open("ab") as f:
                start = f.seek(0, os.SEEK_END)
                f.write(b"".join(records))
                f.flush()
                os.fsync(f.fileno())
        keys = []
        for raw in records:
            keys.append(self.number << _SHIFT | start)
            start += len(raw)
        return keys
