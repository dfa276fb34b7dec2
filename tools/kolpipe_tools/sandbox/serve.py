"""Run the sandbox on loopback: in a background thread (tests, the demo) or in the foreground
(`kolpipe sandbox serve`)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn

from kolpipe_tools.sandbox.server import Faults, create_app
from kolpipe_tools.sandbox.world import World


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_sandbox(world: World, port: int | None = None, faults: Faults | None = None,
                    rate_per_second: float = 0) -> Iterator[str]:
    """Serve the world on 127.0.0.1 for the duration of the block; yields the base URL."""
    port = port or free_port()
    config = uvicorn.Config(create_app(world, faults, rate_per_second), host="127.0.0.1",
                            port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"sandbox did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve_forever(world: World, port: int, faults: Faults | None = None,
                  rate_per_second: float = 0) -> None:
    uvicorn.run(create_app(world, faults, rate_per_second), host="127.0.0.1", port=port,
                log_level="warning", access_log=False)
