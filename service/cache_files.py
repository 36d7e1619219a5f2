"""Files derived from shipped models (the precise stage's joined ONNX, the embedder's export), cached in
``Settings.cache_dir`` and written atomically: a file that exists is whole, whichever process wrote it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """``write`` into a unique temporary file beside ``target`` (unique even across containers sharing the
    folder), then move it into place, readable by other users' processes too; ``target`` is returned."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(handle)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
