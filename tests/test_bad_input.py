"""What people type and paste: the CLIs answer in one line and never print a traceback or a
token, and any character works in KOLPIPE_HOME except the one DuckDB cannot open (the end-to-end
run in such a home is tests/test_gate_on_sandbox.py)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kolpipe import cli as product_cli
from kolpipe import registry
from kolpipe.core import secrets
from kolpipe_tools import cli
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import PREFIX, TOKENS
from kolpipe_tools.sandbox.world import World

KOLPIPE = [sys.executable, "-m", "kolpipe_tools.cli"]
DAY = "2026-11-20"


def test_an_unexpected_error_is_one_masked_line_and_debug_shows_the_traceback(capsys):
    secrets.register("tok-unexpected-123456")

    def broken(args):
        raise RuntimeError("upstream said: Bearer tok-unexpected-123456")

    parser, _, _, handlers = product_cli.build_parser()
    handlers = {**handlers, "summary": broken}
    assert product_cli.dispatch(parser, handlers, ["summary", DAY]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "RuntimeError: upstream said: Bearer ***" in error and "--debug" in error
    with pytest.raises(RuntimeError):
        product_cli.dispatch(parser, handlers, ["--debug", "summary", DAY])


@pytest.mark.parametrize("argv, message", [
    (["fake-followers", "score", "no-such.csv", "out.csv"], "No such file or directory: "
                                                            "'no-such.csv'"),
    (["fake-followers", "evaluate", "no-such.csv"], "No such file or directory: 'no-such.csv'"),
    (["gate", "override", "x", "--verdict", "fail", "--reason", "r", "--by", "me"],
     "no gate verdict for 'x' yet"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path))
    assert cli.main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and message in error


def test_a_home_duckdb_cannot_open_is_refused_with_the_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path / "what?"))
    assert cli.main(["gate", "run", DAY]) == 2
    error = capsys.readouterr().err
    assert "KOLPIPE_HOME" in error and "choose a folder without '?'" in error


def test_log_records_and_their_tracebacks_are_masked(caplog):
    secrets.register("tok-in-a-log-98765")
    log = logging.getLogger("kolpipe.test")
    try:
        raise ValueError("header value b'Bearer tok-in-a-log-98765\\n' is invalid")
    except ValueError:
        log.exception("calling with %s", "tok-in-a-log-98765")
    record = caplog.records[-1]
    text = caplog.text + record.getMessage() + (record.exc_text or "")
    assert "tok-in-a-log-98765" not in text and "Bearer ***" in text


def test_an_uncaught_traceback_is_masked():
    code = ("from kolpipe.core import secrets; secrets.register('tok-uncaught-4242'); "
            "raise RuntimeError('Bearer tok-uncaught-4242')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert "tok-uncaught-4242" not in result.stderr and "Bearer ***" in result.stderr


# What a paste adds to a token. The first three are stripped and the extraction runs; the rest
# are refused before any call, naming the connection.
MALFORMED = {"newline": "{}\n", "crlf": "{}\r\n", "spaces": "  {}  ", "inner space": "{}  x",
             "tab inside": "x\t{}", "nul": "{}\x00", "non-ascii": "{}é"}


@pytest.fixture(scope="module")
def extractions(tmp_path_factory):
    """`kolpipe extract x DAY` as a user runs it, once per malformed token: what it printed
    and every file it wrote."""
    world = World(3)
    runs = {}
    with running_sandbox(world) as url:
        for name, pattern in MALFORMED.items():
            home = tmp_path_factory.mktemp("malformed")
            (home / "registry").mkdir()
            (home / "registry" / "kols.yml").write_text(registry.dump(world.kols()))
            conn = {"conn_type": "http", "host": f"{url}{PREFIX['x']}",
                    "password": pattern.format(TOKENS["x"]), "extra": {"sandbox": True}}
            env = {**os.environ, "KOLPIPE_HOME": str(home),
                   "AIRFLOW_CONN_KOL_X": json.dumps(conn)}
            result = subprocess.run([*KOLPIPE, "extract", "x", DAY], env=env,
                                    capture_output=True, text=True, timeout=300)
            files = {str(p): p.read_bytes() for p in Path(home).rglob("*") if p.is_file()}
            runs[name] = result, files
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_token_never_reaches_an_output(extractions, name):
    result, files = extractions[name]
    token = TOKENS["x"]
    assert token not in result.stdout + result.stderr
    assert [path for path, data in files.items() if token.encode() in data] == []
    assert "Traceback" not in result.stderr
    if name in ("newline", "crlf", "spaces"):
        assert result.returncode == 0, result.stderr
        assert any("/raw/x/accounts/" in path for path in files)
    else:
        assert result.returncode == 2
        assert "connection 'kol_x'" in result.stderr and "token" in result.stderr
        assert not any("/raw/" in path for path in files)
