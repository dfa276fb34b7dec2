"""Secrets and hostile input, end to end on a small sandbox world.

One pipeline day (registry, five platforms, one of them down and one with a wrong token,
dbt build, gate, publish, an alert on two channels that cannot be reached) with text no one
would choose: quotes, SQL fragments, control characters, emoji and right-to-left text in a
KOL's registry entry, display name, bio and captions. Then every output of the run is read
back and searched for the sandbox's tokens, the alert channels' URLs and the registry's
contact details.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import traceback
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from kolpipe import build, gate, land, notify, publish, registry
from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe.extract.http import Connection, PlatformError
from kolpipe_tools.sandbox.serve import free_port, running_sandbox
from kolpipe_tools.sandbox.server import OUR_IG_USER_ID, PREFIX, TOKENS, Faults, connections
from kolpipe_tools.sandbox.world import Account, World

pytestmark = pytest.mark.slow

DAY = date(2026, 11, 20)
HOSTILE = ("O'Brien \"the\" `chef` \\ '; DROP TABLE marts.dim_kol; -- "
           "\t\r\n\x1b[31m\x07\x7f 🧑‍🍳🔥 \u202eمرحبا بالعالم\u202c שלום \u200f end")
HOSTILE_CAPTION = f"{HOSTILE} #ad %s {{0}} $1 ?"
HOSTILE_KOL = "kol_99999"
HOSTILE_HANDLE = "x'); DROP TABLE landing; --\u202e"
CONTACT = {"email": "mara.lind+kol@example.org", "phone": "+371 2000 0000"}
WEBHOOK_SECRET = "T000/B000/webhook-secret-path-3f9a"


class HostileAccount(Account):
    def posts_published_on(self, d: date):
        return [dataclasses.replace(post, caption=HOSTILE_CAPTION)
                for post in super().posts_published_on(d)]


class HostileWorld(World):
    """The sandbox world with KOL 1's profile and captions made of hostile text."""

    @cached_property
    def accounts(self) -> list[Account]:
        accounts = super().accounts
        return [HostileAccount(**{**vars(a), "display_name": HOSTILE, "bio": HOSTILE})
                if a.kol_id == "kol_00001" else a for a in accounts]


WORLD = HostileWorld(12)


def hostile_registry() -> str:
    kols = WORLD.kols()
    kols[0]["display_name"] = HOSTILE
    kols[0]["contact"] = CONTACT
    kols.append({"kol_id": HOSTILE_KOL, "display_name": HOSTILE, "niche": HOSTILE,
                 "language": "ar", "contact": CONTACT,
                 "accounts": {"instagram": {"handle": HOSTILE_HANDLE},
                              "x": {"account_id": "1' OR '1'='1", "handle": HOSTILE_HANDLE}}})
    return registry.dump(kols)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Runs the day with every log record and all output captured."""
    paths = Paths(tmp_path_factory.mktemp("security"))
    paths.registry.parent.mkdir(parents=True, exist_ok=True)
    paths.registry.write_text(hostile_registry(), encoding="utf-8")
    closed = f"http://127.0.0.1:{free_port()}"
    alert_channels = {
        "AIRFLOW_CONN_KOL_ALERT_SLACK": json.dumps(
            {"conn_type": "http", "host": f"{closed}/services", "password": WEBHOOK_SECRET}),
        "AIRFLOW_CONN_KOL_ALERT_WEBHOOK": json.dumps(
            {"conn_type": "http", "host": f"{closed}/hook/{WEBHOOK_SECRET}",
             "password": TOKENS["x"]}),
    }
    records: list[logging.LogRecord] = []
    collector = logging.Handler(logging.DEBUG)
    collector.emit = records.append
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    errors: list[str] = []
    saved = dict(os.environ)
    try:
        with running_sandbox(WORLD) as url, \
                running_sandbox(WORLD, faults=Faults(server_error=1.0)) as down_url:
            os.environ.update({**connections(url), **alert_channels,
                               "DBT_INDIRECT_SELECTION": "empty"})
            # The day before lands everywhere: dbt's sources need one partition per platform.
            land.land_registry(DAY - timedelta(days=1), paths)
            for platform in PLATFORMS:
                land.land_platform(platform, DAY - timedelta(days=1), paths)
            land.land_registry(DAY, paths)
            for platform in PLATFORMS[2:]:
                land.land_platform(platform, DAY, paths)
            failing = {
                # an outage on a platform that takes its key as a query parameter
                "youtube": Connection("youtube", down_url + PREFIX["youtube"],
                                      TOKENS["youtube"], {"sandbox": True, "max_retries": 1}),
                # a token that the platform refuses
                "instagram": Connection("instagram", url + PREFIX["instagram"], TOKENS["x"],
                                        {"sandbox": True, "ig_user_id": OUR_IG_USER_ID}),
            }
            for platform, conn in failing.items():
                with pytest.raises(PlatformError) as failure:
                    land.land_platform(platform, DAY, paths, conn=conn)
                errors.append("".join(traceback.format_exception(failure.value)))
                errors.append(repr(conn))
            build.dbt_build(DAY, paths, select="resource_type:model resource_type:seed")
            gate.run_gate(DAY, paths)
            build.dbt_build(DAY, paths, select="tag:gated")
            publish.publish(DAY, paths)
            alert = notify.alert_for_gated_accounts(
                DAY, "x", [{"account_id": HOSTILE_HANDLE, "verdict": "fail",
                            "reason_codes": "follower_spike"}], run_id="security-test")
            deliveries = notify.send(alert, paths)
    finally:
        root.removeHandler(collector)
        root.setLevel(previous_level)
        os.environ.clear()
        os.environ.update(saved)
    messages = []
    for record in records:
        messages.append(record.getMessage())
        if record.exc_info:
            messages.append(logging.Formatter().formatException(record.exc_info))
    return {"paths": paths, "logs": messages, "errors": errors, "deliveries": deliveries,
            "outputs": every_output(paths)}


def every_output(paths: Paths) -> dict[str, str]:
    """Each file under KOLPIPE_HOME as text: Parquet and DuckDB files decoded, since their
    strings are compressed on disk; the registry (an input) is left out."""
    texts = {}
    for path in sorted(p for p in paths.home.rglob("*") if p.is_file()):
        if path == paths.registry:
            continue
        if path.suffix == ".parquet":
            texts[str(path)] = repr(pq.read_table(path).to_pylist())
        elif path.suffix == ".duckdb":
            texts[str(path)] = duckdb_as_text(path)
        else:
            texts[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def duckdb_as_text(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE'").fetchall()
        return repr([con.execute(f'select * from "{schema}"."{table}"').fetchall()
                     for schema, table in tables])


def test_the_run_wrote_every_kind_of_output(run):
    outputs = run["outputs"]
    kinds = {Path(name).suffix for name in outputs}
    assert {".parquet", ".duckdb", ".json", ".log"} <= kinds
    assert any("/runs/extract/" in name for name in outputs)
    assert any("/published/exports/" in name for name in outputs)
    assert len(run["logs"]) > 50 and len(run["errors"]) == 4
    assert [d.ok for d in run["deliveries"]] == [False, False]


@pytest.mark.parametrize("secret", [*TOKENS.values(), WEBHOOK_SECRET, "/hook/"])
def test_no_token_or_webhook_url_reaches_any_output(run, secret):
    found = [name for name, text in run["outputs"].items() if secret in text]
    assert found == []
    assert not [m for m in run["logs"] if secret in m]
    assert not [e for e in run["errors"] if secret in e]
    assert not [d for d in run["deliveries"] if secret in d.detail]


@pytest.mark.parametrize("secret", CONTACT.values())
def test_contact_details_in_the_registry_stay_out_of_every_output(run, secret):
    assert secret in run["paths"].registry.read_text(encoding="utf-8")
    assert [name for name, text in run["outputs"].items() if secret in text] == []


def published(run) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(run["paths"].published), read_only=True)


def test_hostile_registry_text_lands_and_queries_intact(run):
    with published(run) as con:
        kols = con.execute("select kol_id from marts.dim_kol where display_name = ? "
                           "order by kol_id", [HOSTILE]).fetchall()
        handles = con.execute("select platform from marts.dim_account where kol_id = ? and "
                              "handle = ? order by platform",
                              [HOSTILE_KOL, HOSTILE_HANDLE]).fetchall()
        tables = con.execute("select count(*) from information_schema.tables "
                             "where table_schema = 'marts'").fetchone()[0]
    assert kols == [("kol_00001",), (HOSTILE_KOL,)]
    assert handles == [("instagram",), ("x",)]
    assert tables >= 6  # no statement was cut short or injected


def test_hostile_platform_text_lands_and_queries_intact(run):
    caption_column = {"instagram": "caption", "youtube": "title", "tiktok": "video_description",
                      "x": "text", "weibo": "text"}
    landed = set()
    for path in (run["paths"].landing / "raw").glob("*/posts/dt=*/part-0.parquet"):
        platform = path.parts[-4]
        landed |= {(platform, row["id"]) for row in pq.read_table(path).to_pylist()
                   if row[caption_column[platform]] == HOSTILE_CAPTION}
    assert landed, "KOL 1 published no post on the days run"
    with published(run) as con:
        posts = set(con.execute("select platform, post_id from marts.fct_posts "
                                "where caption = ?", [HOSTILE_CAPTION]).fetchall())
        names = con.execute("select count(*) from marts.dim_account where kol_id = 'kol_00001' "
                            "and display_name = ?", [HOSTILE]).fetchone()[0]
    assert posts == landed
    assert names == len([a for a in WORLD.accounts if a.kol_id == "kol_00001"])
    exported = pq.read_table(run["paths"].exports / "latest" / "dim_kol.parquet").to_pylist()
    assert [row["display_name"] for row in exported if row["kol_id"] == HOSTILE_KOL] == [HOSTILE]
