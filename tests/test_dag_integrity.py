"""Every DAG file imports cleanly, declares what operators need, and wires the expected tasks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

DAGS = Path(__file__).parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

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
    expected = {"land_registry", "dbt_build", "publish", "summarize",
                *(f"extract_{p}" for p in platforms), *(f"check_raw_{p}" for p in platforms)}
    assert set(dag.task_ids) == expected
    for p in platforms:
        assert dag.get_task(f"extract_{p}").upstream_task_ids == {"land_registry"}
        assert dag.get_task(f"extract_{p}").pool == f"kol_{p}_api"
        assert dag.get_task(f"check_raw_{p}").upstream_task_ids == {f"extract_{p}"}
    assert dag.get_task("dbt_build").upstream_task_ids == {f"check_raw_{p}" for p in platforms}
    assert dag.get_task("publish").upstream_task_ids == {"dbt_build"}
    assert dag.get_task("summarize").upstream_task_ids == {"publish"}


def test_dag_files_import_nothing_heavy_at_module_level():
    for path in DAGS.glob("*.py"):
        header = [line for line in path.read_text().splitlines()
                  if line.startswith(("import ", "from "))]
        for heavy in ("pandas", "duckdb", "great_expectations", "dbt", "kolpipe"):
            assert not any(heavy in line for line in header), f"{path.name} imports {heavy}"
