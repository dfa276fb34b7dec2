"""Every DAG file imports cleanly, declares what operators need, and wires the expected tasks."""

from __future__ import annotations

import functools
import subprocess
import sys
import time
from pathlib import Path

import pytest

DAGS = Path(__file__).parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    from kolpipe import build

    build.parse()
    started = time.monotonic()
    bag = DagBag(dag_folder=str(DAGS))
    print(f"DagBag parsed {len(bag.dags)} DAG(s) in {time.monotonic() - started:.2f}s")
    return bag


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"kol_daily"}


def test_every_dag_has_tags_and_docs(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.doc_md, dag.dag_id
        assert dag.catchup is False


@functools.cache
def fresh_parse() -> dict[str, str]:
    """Parse the DAG file as the dag processor does, in a new interpreter (this one has
    imported everything already) with production's environment: the modules parsing loaded
    of NOT_AT_PARSE, and the tasks' retry settings."""
    import os

    environment = {k: v for k, v in os.environ.items() if k != "KOLPIPE_TASK_RETRIES"}
    code = ("import sys; from airflow.dag_processing.dagbag import DagBag; "
            f"bag = DagBag(dag_folder={str(DAGS / 'kol_daily.py')!r}); "
            "assert not bag.import_errors, bag.import_errors; "
            f"print([m for m in {NOT_AT_PARSE!r} if m in sys.modules]); "
            "print(sorted({(t.retries, t.retry_delay.total_seconds(), "
            "t.on_failure_callback is not None) for t in bag.dags['kol_daily'].tasks}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=environment)
    loaded, retries = result.stdout.splitlines()[-2:]
    return {"loaded": loaded, "retries": retries}


def retry_settings(dag) -> list[tuple]:
    return sorted({(t.retries, t.retry_delay.total_seconds(), t.on_failure_callback is not None)
                   for t in dag.tasks})


def test_every_task_retries_after_a_delay_and_alerts_on_failure(dagbag):
    """Two retries five minutes apart in production (a fresh parse without
    KOLPIPE_TASK_RETRIES); none in the demo and the tests, so a failure shows at once."""
    assert retry_settings(dagbag.dags["kol_daily"]) == [(0, 300.0, True)]
    assert fresh_parse()["retries"] == "[(2, 300.0, True)]"


def test_kol_daily_wires_the_flow_in_one_direction(dagbag):
    dag = dagbag.dags["kol_daily"]
    platforms = ("instagram", "youtube", "tiktok", "x", "weibo")
    python_tasks = {"land_registry", "raw_ready", "score_followers", "gate_accounts", "publish",
                    "summarize",
                    *(f"extract_{p}" for p in platforms), *(f"check_raw_{p}" for p in platforms)}
    assert python_tasks <= set(dag.task_ids)
    for p in platforms:
        assert dag.get_task(f"extract_{p}").upstream_task_ids == {"land_registry"}
        assert dag.get_task(f"extract_{p}").pool == f"kol_{p}_api"
        assert dag.get_task(f"check_raw_{p}").upstream_task_ids == {f"extract_{p}"}
    ready = dag.get_task("raw_ready")
    assert ready.upstream_task_ids == {f"check_raw_{p}" for p in platforms}
    assert ready.trigger_rule == "all_done"
    assert dag.get_task("summarize").upstream_task_ids == {"publish"}


def test_every_dbt_model_is_its_own_task_on_the_single_writer_pool(dagbag):
    import json

    from kolpipe import build
    from kolpipe.build import cosmos
    from kolpipe.core.paths import paths
    from kolpipe.score.followers import STAGED_SAMPLES

    dag = dagbag.dags["kol_daily"]
    manifest = json.loads(Path(build.manifest_path(paths())).read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    gated = {m["name"] for m in models if cosmos.GATED_TAG in m["tags"]}
    ungated = {m["name"] for m in models} - gated
    assert gated >= {"approved_kols", "account_verdicts"}
    dbt_task_ids = {t for t in dag.task_ids
                    if t.startswith(("follower_samples.", "warehouse.", "gated_marts."))}
    staged = set(STAGED_SAMPLES)
    assert {f"warehouse.{m}_model_build" for m in ungated - staged} <= dbt_task_ids
    assert {f"gated_marts.{m}_model_build" for m in gated} <= dbt_task_ids
    assert all(dag.get_task(t).pool == cosmos.WAREHOUSE_POOL for t in dbt_task_ids)
    # Staging waits for the raw checks; the gate for the signals; the gated marts for the gate;
    # publish for every mart.
    assert "score_followers" in dag.get_task("warehouse.stg_x__accounts_model_build"
                                             ).upstream_task_ids
    # The scorer reads the staged follower samples, built after the raw checks.
    staged = {f"follower_samples.{m}_model_build" for m in STAGED_SAMPLES}
    assert dag.get_task("score_followers").upstream_task_ids == staged
    assert all(dag.get_task(t).upstream_task_ids == {"raw_ready"} for t in staged)
    assert not any(t.startswith("warehouse.stg_x__follower_samples") for t in dbt_task_ids)
    assert "warehouse.int_account_signals_daily_model_build" in dag.get_task(
        "gate_accounts").get_flat_relative_ids(upstream=True)
    assert "gate_accounts" in dag.get_task("gated_marts.stg_gate__account_verdicts_model_build"
                                           ).upstream_task_ids
    assert "gated_marts.approved_kols_model_build" in dag.get_task("publish").upstream_task_ids
    vars_template = dag.get_task("warehouse.fct_posts_model_build").vars
    assert vars_template == {"logical_date": "{{ ds }}"}


# What parsing the DAG must not load: Airflow's plugins (Cosmos's docs plugin imports FastAPI:
# half of the one-second parse budget), and what the tasks need only when they run (an import
# at the top of the file or inside the @dag body runs at every parse).
NOT_AT_PARSE = ("fastapi", "cosmos.plugin.airflow3", "pandas", "numpy", "pyarrow", "duckdb",
                "great_expectations", "dbt.cli.main", "kolpipe.validate", "kolpipe.land",
                "kolpipe.gate", "kolpipe.pipeline")


def test_parsing_the_dag_loads_nothing_only_the_tasks_need(dagbag):
    assert fresh_parse()["loaded"] == "[]"
