"""The demo shows the Airflow day as it runs: each task as it finishes, with its duration."""

from __future__ import annotations

import sqlite3

from kolpipe.local_airflow import TaskWatcher


def metadata_db(path):
    con = sqlite3.connect(path)
    con.executescript("""
        create table dag_run (id integer primary key, run_id text);
        create table task_instance (task_id text, map_index integer, state text,
                                    start_date text, end_date text, run_id text);
        insert into dag_run values (1, 'yesterday');
        insert into task_instance values
            ('land_registry', -1, 'success', '2026-11-21 10:00:00', '2026-11-21 10:00:09',
             'yesterday');
    """)
    con.commit()
    return con


def test_the_watcher_reports_each_finished_task_of_the_new_run_once(tmp_path):
    database = tmp_path / "airflow.db"
    con = metadata_db(database)
    watcher = TaskWatcher(database)  # made before the run: yesterday's run is not news
    con.executescript("""
        insert into dag_run values (2, 'today');
        insert into task_instance values
            ('land_registry', -1, 'success', '2026-11-22 10:00:00.000000',
             '2026-11-22 10:00:08.500000', 'today'),
            ('extract_x', -1, 'running', '2026-11-22 10:00:09', null, 'today'),
            ('publish', -1, null, null, null, 'today');
    """)
    con.commit()
    assert watcher.finished_since_last_call() == [
        "  [  1/3] land_registry" + " " * 43 + "success     8.5s"]
    con.execute("update task_instance set state = 'failed', end_date = '2026-11-22 10:00:12' "
                "where task_id = 'extract_x'")
    con.commit()
    lines = watcher.finished_since_last_call()
    assert len(lines) == 1 and "extract_x" in lines[0] and "failed" in lines[0]
    assert lines[0].startswith("  [  2/3]") and lines[0].endswith("3.0s")
    assert watcher.finished_since_last_call() == []


def test_the_watcher_waits_for_a_database_not_yet_created_or_migrated(tmp_path):
    assert TaskWatcher(tmp_path / "airflow.db").finished_since_last_call() == []
    database = tmp_path / "empty.db"
    sqlite3.connect(database).close()  # created, not yet migrated: no dag_run table
    watcher = TaskWatcher(database)
    assert watcher.known_runs == 0 and watcher.finished_since_last_call() == []
