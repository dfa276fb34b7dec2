"""Every DAG file imports cleanly, declares what operators need, and wires the expected tasks."""

from __future__ import annotations

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


def test_every_dag_has_tags_retries_and_docs(dagbag):
    for dag in dagbag.dags.values():
        assert dag.tags, dag.dag_id
        assert dag.doc_md, dag.dag_id
        assert dag.catchup is False
        assert all(task.retries >= 0 for task in dag.tasks)


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

    from kolpipe.build import cosmos
    from kolpipe.core.paths import paths

    dag = dagbag.dags["kol_daily"]
    manifest = json.loads(Path(cosmos.manifest_path(paths())).read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    gated = {m["name"] for m in models if cosmos.GATED_TAG in m["tags"]}
    ungated = {m["name"] for m in models} - gated
    assert gated >= {"approved_kols", "account_verdicts"}
    dbt_task_ids = {t for t in dag.task_ids if t.startswith(("warehouse.", "gated_marts."))}
    assert {f"warehouse.{m}_model_build" for m in ungated} <= dbt_task_ids
    assert {f"gated_marts.{m}_model_build" for m in gated} <= dbt_task_ids
    assert all(dag.get_task(t).pool == cosmos.WAREHOUSE_POOL for t in dbt_task_ids)
    # Staging waits for the raw checks; the gate for the signals; the gated marts for the gate;
    # publish for every mart.
    assert "score_followers" in dag.get_task("warehouse.stg_x__accounts_model_build"
                                             ).upstream_task_ids
    assert dag.get_task("score_followers").upstream_task_ids == {"raw_ready"}
    assert "warehouse.int_account_signals_daily_model_build" in dag.get_task(
        "gate_accounts").upstream_task_ids
    assert "gate_accounts" in dag.get_task("gated_marts.account_verdicts_model_build"
                                           ).upstream_task_ids
    assert "gated_marts.approved_kols_model_build" in dag.get_task("publish").upstream_task_ids
    vars_template = dag.get_task("warehouse.fct_posts_model_build").vars
    assert vars_template == {"logical_date": "{{ ds }}"}


def test_parsing_the_dag_loads_no_airflow_plugins(dagbag):
    """Loading the plugins (Cosmos's docs plugin imports FastAPI) took half of the one-second
    parse budget. A fresh interpreter, as in the dag processor: this one may have loaded them."""
    probe = ("import sys; from airflow.dag_processing.dagbag import DagBag; "
             f"DagBag(dag_folder={str(DAGS / 'kol_daily.py')!r}); "
             "print([m for m in ('fastapi', 'cosmos.plugin.airflow3') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.splitlines()[-1] == "[]"


def test_dag_files_import_nothing_heavy_at_module_level():
    for path in DAGS.glob("*.py"):
        header = [line for line in path.read_text().splitlines()
                  if line.startswith(("import ", "from "))]
        for heavy in ("pandas", "duckdb", "great_expectations", "dbt", "kolpipe"):
            assert not any(heavy in line for line in header), f"{path.name} imports {heavy}"
