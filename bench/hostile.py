"""What each hostile file costs to refuse: seconds and peak memory (the process's peak RSS, and
its RSS before the file was read), each read in a fresh child process (``parse_bytes``, as an
upload is read; the long article is refused later, by the indexer). Linux: the peak is read from
/proc. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/hostile.py

The files are the ones ``tests/test_hostile_server.py`` uploads (built by the tests' helpers;
the zip bomb takes a few seconds to compress).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_server import hostile_files  # noqa: E402

CHILD = """
import json, sys, time
import charset_normalizer, docx, pypdf, trafilatura, yaml  # imported before the clock starts
from index.errors import BadArticle
from index.loaders import parse_bytes
from index.textfiles import decode_bytes
decode_bytes("Caf\\xe9 \\u2013 ok".encode("cp1252"), "warm-up")

def memory(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024

raw = open(sys.argv[1], "rb").read()
open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) starts again from here
before = memory("VmRSS")
started = time.perf_counter()
try:
    parse_bytes(raw, sys.argv[2])
    outcome = "read"
except BadArticle as exc:
    outcome = exc.reason
print(json.dumps({"seconds": round(time.perf_counter() - started, 3),
                  "rss_before_mb": before, "peak_rss_mb": memory("VmHWM"),
                  "outcome": outcome[:120]}))
"""


def main() -> None:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (data, _) in hostile_files().items():
            path = Path(tmp) / name
            path.write_bytes(data)
            child = subprocess.run([sys.executable, "-c", CHILD, str(path), name], cwd=ROOT,
                                   capture_output=True, text=True, check=True)
            out[name] = {"bytes": len(data), **json.loads(child.stdout)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
