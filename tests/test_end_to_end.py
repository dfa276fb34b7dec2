"""The README's main job on a small world: bulk history, then the DAG through Airflow
(`airflow dags test`) for two consecutive dates; the marts are checked against values computed
by hand from the landed Parquet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from kolpipe.core.paths import PLATFORMS, Paths
from kolpipe_tools.sandbox.serve import free_port

pytestmark = pytest.mark.e2e

END = date(2026, 11, 20)
AIRFLOW_DAYS = (END - timedelta(days=1), END)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Paths:
    home = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "KOLPIPE_HOME": str(home), "KOLPIPE_TASK_RETRIES": "0"}
    env.pop("KOLPIPE_REGISTRY", None)
    result = subprocess.run(
        [sys.executable, "-m", "kolpipe_tools.cli", "demo", "--kols", "16", "--history-days", "12",
         "--airflow-days", "2", "--end", END.isoformat(), "--port", str(free_port())],
        env=env, capture_output=True, text=True, timeout=2400)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    print(result.stdout[-3000:])
    return Paths(home)


# A private connection: other test modules may leave work on duckdb's default one.
_LOCAL = duckdb.connect()


def _landed(paths: Paths, platform: str, entity: str) -> duckdb.DuckDBPyRelation:
    glob = paths.landing / "raw" / platform / entity / "*" / "*.parquet"
    return _LOCAL.sql(f"select * from read_parquet('{glob}')")


def _published(paths: Paths) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(paths.published), read_only=True)


def test_both_dates_ran_through_airflow_and_were_summarised(run):
    for day in AIRFLOW_DAYS:
        log = (run.home / "logs" / f"airflow-dags-test-{day}.log").read_text()
        assert "DagRun Finished" in log and "state=success" in log
        report = json.loads((run.runs / "summary" / f"dt={day}.json").read_text())
        assert report["rows_landed"] > 0
        assert all(info["checks_passed"] for info in report["platforms"].values())
        assert report["marts"]["fct_account_daily"] > 0
        # each dbt model ran as its own Airflow task, the gate between the two groups
        for task_id in ("warehouse.fct_posts_model_build", "gate_accounts",
                        "gated_marts.approved_kols_model_build", "publish"):
            assert f"[DAG TEST] end task task_id={task_id} " in log, task_id


def test_the_gate_judged_every_account_and_approved_kols_leaves_out_the_failed(run):
    import pyarrow.parquet as pq

    verdicts = pq.read_table(run.landing / "gate" / "account_verdicts" / f"dt={END}"
                             ).to_pylist()
    assert verdicts and {v["verdict"] for v in verdicts} <= {"pass", "review", "fail"}
    failed = {v["account_key"] for v in verdicts if v["verdict"] == "fail"}
    with _published(run) as con:
        approved = {k for (k,) in con.execute(
            "select account_key from marts.approved_kols").fetchall()}
        current = dict(con.execute("select account_key, verdict from marts.account_verdicts "
                                   "where is_current").fetchall())
    assert approved and not (approved & failed)
    report = json.loads((run.runs / "summary" / f"dt={END}.json").read_text())
    assert sum(report["gate"]["counts"].values()) == len(verdicts)
    assert report["gate"]["counts"].get("fail", 0) == len(failed)
    assert current == {v["account_key"]: v["verdict"] for v in verdicts}


def test_account_daily_has_one_row_per_landed_account_day(run):
    landed = sum(
        _landed(run, p, "accounts").aggregate("count(distinct (account_id, logical_date))")
        .fetchall()[0][0] for p in PLATFORMS)
    with _published(run) as con:
        rows, keys = con.execute("select count(*), count(distinct (account_key, observed_date)) "
                                 "from marts.fct_account_daily").fetchone()
    assert rows == keys == landed


def test_follower_growth_matches_the_landed_snapshots(run):
    followers = _LOCAL.sql(f"""
        select account_id,
               max(followers_count) filter (where logical_date = date '{END}') as today,
               max(followers_count) filter (
                   where logical_date = date '{END - timedelta(1)}') as yesterday
        from read_parquet('{run.landing}/raw/instagram/accounts/*/*.parquet')
        group by account_id having today is not null and yesterday is not null
        order by account_id limit 1""").fetchall()[0]
    account_id, today, yesterday = followers
    with _published(run) as con:
        mart = con.execute("select followers, follower_growth_1d from marts.fct_account_daily "
                           "where platform = 'instagram' and account_id = ? and observed_date = ?",
                           [account_id, END]).fetchone()
    assert mart == (today, today - yesterday)


def test_engagement_rate_at_fixed_age_matches_a_hand_computation(run):
    # An X post observed on its 7th day: engagements = likes + replies + reposts + quotes +
    # bookmarks at that observation, over the account's followers on the publication day.
    raw = run.landing / "raw" / "x"
    post = _LOCAL.sql(f"""
        with posts as (select distinct id, account_id, created_at
                       from read_parquet('{raw}/posts/*/*.parquet')),
             metrics as (select * from read_parquet('{raw}/post_metrics/*/*.parquet')),
             accounts as (select account_id, logical_date, followers_count
                          from read_parquet('{raw}/accounts/*/*.parquet'))
        select p.id,
               m.like_count + m.reply_count + m.retweet_count + m.quote_count + m.bookmark_count,
               a.followers_count
        from posts p
        join metrics m on m.id = p.id and m.logical_date = cast(p.created_at as date) + 7
        join accounts a
          on a.account_id = p.account_id and a.logical_date = cast(p.created_at as date)
        where a.followers_count > 0
        order by p.id limit 1""").fetchall()
    assert post, "no X post was observed at the age of 7 days"
    post_id, engagements, followers = post[0]
    with _published(run) as con:
        mart = con.execute("select engagements, followers_at_publication, "
                           "engagement_rate_by_followers, is_immature from marts.fct_posts "
                           "where platform = 'x' and post_id = ?", [post_id]).fetchone()
    assert mart[:2] == (engagements, followers)
    assert mart[2] == pytest.approx(engagements / followers)
    assert mart[3] is False


def test_published_marts_are_exported_as_parquet(run):
    latest = run.exports / "latest"
    with _published(run) as con:
        for mart in ("dim_kol", "dim_account", "fct_posts", "fct_account_daily"):
            exported = _LOCAL.sql(
                f"select count(*) from '{latest / (mart + '.parquet')}'").fetchall()[0]
            assert exported == con.execute(f"select count(*) from marts.{mart}").fetchone()


def test_the_creators_grants_live_in_airflow_and_are_refreshed_there(run):
    """The demo hands the grants to Airflow Variables; each Airflow day's extract task reads
    them and stores the refreshed ones. TikTok rotates its refresh token on every refresh and
    the sandbox refuses the previous one, so the second day reads the same creators only if
    the first day's task stored what it refreshed."""
    from kolpipe import local_airflow
    from kolpipe.core.paths import run_record

    read = [set(json.loads(run_record(run, "extract", day, "tiktok.json").read_text())
                ["read_with_grant_ids"]) for day in AIRFLOW_DAYS]
    assert read[0] and read[1] == read[0]
    status = subprocess.run(
        [str(Path(sys.executable).with_name("kolpipe")), "creators", "status"],
        env=local_airflow.airflow_env(run), capture_output=True, text=True, timeout=300)
    assert status.returncode == 0, status.stderr[-2000:]
    rows = [dict(field.split("=", 1) for field in line.split("  "))
            for line in status.stdout.splitlines() if line.startswith("platform=")]
    active = {row["kol_id"] for row in rows if row["platform"] == "tiktok"
              and row["status"] == "active"}
    assert len(active) == len(read[1])
    assert "sbx." not in status.stdout + status.stderr  # the sandbox's tokens start so
