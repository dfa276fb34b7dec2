"""Progress lines for anything a person waits on: a timestamp, then the message."""

from __future__ import annotations

import time


def progress(message: str, level: int = 0) -> None:
    """Print `[HH:MM:SS] message`, indented two spaces per level, and flush at once."""
    print(f"[{time.strftime('%H:%M:%S')}] {'  ' * level}{message}", flush=True)
