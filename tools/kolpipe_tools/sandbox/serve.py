"""Run the sandbox on loopback, the one launcher: in a background thread (tests, the gate
evaluation) or in a process of its own (the demo, `kolpipe run --sandbox`, the bench's
extraction: a core of its own, so the server's work does not compete with the clients' for the
GIL). The process launcher also points this process's platform connections at it
(AIRFLOW_CONN_KOL_<PLATFORM>), which the processes it starts inherit; the thread leaves the
environment to its caller (`server.connections(url)`), so tests restore it.

    python -m kolpipe_tools.sandbox.serve --kols 200 --port 8765   (`kolpipe sandbox serve`)
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from kolpipe_tools.sandbox.constants import DEFAULT_SEED
from kolpipe_tools.sandbox.server import Faults, connections, create_app
from kolpipe_tools.sandbox.world import World


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_sandbox(world: World, port: int | None = None, faults: Faults | None = None,
                    rate_per_second: float = 0) -> Iterator[str]:
    """Serve the world on 127.0.0.1 in a thread for the duration of the block; yields the base
    URL."""
    import uvicorn

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


@contextmanager
def sandbox_process(kols: int, port: int | None = None, *, seed: int = DEFAULT_SEED,
                    rate_per_second: float = 0) -> Iterator[str]:
    """Serve a world of `kols` KOLs from a process of its own for the duration of the block;
    yields the base URL."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "kolpipe_tools.sandbox.serve", "--kols", str(kols),
         "--seed", str(seed), "--port", str(port), "--rate", str(rate_per_second)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(base_url, server)
        os.environ.update(connections(base_url))
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)


def serve_forever(world: World, port: int, faults: Faults | None = None,
                  rate_per_second: float = 0) -> None:
    import uvicorn

    uvicorn.run(create_app(world, faults, rate_per_second), host="127.0.0.1", port=port,
                log_level="warning", access_log=False)


def _wait_for(base_url: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the sandbox exited with code {server.returncode}; is port "
                               f"{base_url.rsplit(':', 1)[1]} in use? Pass --port")
        try:
            httpx.get(f"{base_url}/x/2/users", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the sandbox did not answer on {base_url} within 60s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="serve the sandbox world on 127.0.0.1")
    parser.add_argument("--kols", type=int, default=200)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate", type=float, default=0,
                        help="calls per second per platform before 429s (0: no limit)")
    args = parser.parse_args(argv)
    serve_forever(World(args.kols, args.seed), args.port, rate_per_second=args.rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
