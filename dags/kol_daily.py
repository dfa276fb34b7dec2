"""
### KOL daily pipeline

Registry → extract (one task per platform) → land → validate raw (GX) → stage and score the
follower samples → dbt build (one task per model, Cosmos) → account gate (GX) → gated marts →
publish → summary; alerts on failure.
The logical date is the day whose end-of-day state is extracted: the run for day D covers the
data interval [D, D+1) and starts at D+1 00:00 UTC. Every task is idempotent for its date:
reruns and backfills replace, never append.
Logic lives in the `kolpipe` package under plugins/; this file only wires tasks.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable


def _alert_on_failure(context) -> None:
    from kolpipe import notify

    notify.on_failure_callback(context)


@dag(
    dag_id="kol_daily",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    # The demo and the tests set KOLPIPE_TASK_RETRIES=0 so a failure shows at once.
    default_args={"retries": int(os.environ.get("KOLPIPE_TASK_RETRIES", "2")),
                  "retry_delay": timedelta(minutes=5),
                  "on_failure_callback": _alert_on_failure},
    tags=["kol", "daily"],
)
def kol_daily():
    @task
    def land_registry(logical_date=None) -> int:
        from kolpipe import pipeline

        return pipeline.land_registry(logical_date)

    @task
    def summarize(logical_date=None) -> dict:
        from kolpipe import pipeline

        return pipeline.summarize(logical_date)

    @task(trigger_rule="all_done")
    def raw_ready(ti=None, logical_date=None) -> dict:
        """Stops the date on a failed data check; builds on when a platform only failed to
        extract (an outage), recording it as stale."""
        from kolpipe import pipeline

        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id])[ti.run_id]
        return pipeline.raw_ready(logical_date, states)

    @task
    def score_followers(logical_date=None) -> dict:
        from kolpipe import pipeline

        return pipeline.score_followers(logical_date)

    # The gate and publish read the warehouse file: they share the dbt tasks' one-writer pool.
    @task(pool="kol_warehouse")
    def gate_accounts(logical_date=None, run_id=None) -> dict:
        from kolpipe import pipeline

        return pipeline.gate_accounts(logical_date, run_id)

    @task(pool="kol_warehouse")
    def publish(logical_date=None) -> dict:
        from kolpipe import pipeline

        return pipeline.publish(logical_date)

    from kolpipe.build import cosmos
    from kolpipe.core.paths import PLATFORMS
    from kolpipe.score.followers import STAGED_SAMPLES

    registry = land_registry()
    ready = raw_ready()
    # The follower samples are staged first: the scorer reads them, the rest of the build
    # reads its scores.
    samples = cosmos.task_group("follower_samples", select=list(STAGED_SAMPLES))
    build = cosmos.task_group("warehouse",
                              exclude=[f"tag:{cosmos.GATED_TAG}", *STAGED_SAMPLES])
    gated = cosmos.task_group("gated_marts", select=[f"tag:{cosmos.GATED_TAG}"])
    for platform in PLATFORMS:

        @task(task_id=f"extract_{platform}", pool=f"kol_{platform}_api")
        def extract(platform: str = platform, logical_date=None, run_id=None) -> dict:
            from kolpipe import pipeline

            return pipeline.extract(platform, logical_date, run_id)

        @task(task_id=f"check_raw_{platform}")
        def check_raw(platform: str = platform, logical_date=None) -> dict:
            from kolpipe import pipeline

            return pipeline.check_raw(platform, logical_date)

        registry >> extract() >> check_raw() >> ready
    ready >> samples >> score_followers() >> build
    build >> gate_accounts() >> gated >> publish() >> summarize()


kol_daily()
