"""tools/checksum_warehouse.py: the evidence that a refactor changed no table."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from checksum_warehouse import checksums, compare  # noqa: E402


def warehouse(path: Path, rows: list[tuple]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (id varchar, rate double, n bigint)")
        con.executemany("insert into marts.t values (?, ?, ?)", rows)
    return path


def test_the_same_rows_in_any_order_give_the_same_checksum_and_a_changed_value_does_not(
        tmp_path):
    rows = [("a", 0.1 + 0.2, 1), ("b", None, 2)]
    same = checksums(warehouse(tmp_path / "one.duckdb", rows))
    assert same == checksums(warehouse(tmp_path / "two.duckdb", rows[::-1]))
    assert same[0].startswith("marts.t\t2\t")
    changed = checksums(warehouse(tmp_path / "three.duckdb", [("a", 0.3, 1), ("b", None, 3)]))
    assert changed != same


def test_compare_fails_on_a_changed_relation_and_lists_added_ones(tmp_path, capsys):
    before = tmp_path / "before.tsv"
    before.write_text("# kol.duckdb\nmarts.a\t2\t11\nmarts.b\t3\t12\n")
    added = tmp_path / "added.tsv"
    added.write_text("# kol.duckdb\nmarts.a\t2\t11\nmarts.b\t3\t12\nmarts.c\t1\t5\n")
    assert compare(before, added) == 0
    assert "2 relations in both, 2 identical, 0 differ" in capsys.readouterr().out
    changed = tmp_path / "changed.tsv"
    changed.write_text("# kol.duckdb\nmarts.a\t2\t11\nmarts.b\t3\t99\n")
    assert compare(before, changed) == 1
    assert "differs: kol.duckdb marts.b" in capsys.readouterr().out
