"""The same dbt project builds on Spark (dbt-spark, a local pyspark session in .venv-spark) and
gives the same marts as DuckDB: one small sandbox landing zone (8 KOLs, 14 days, landed through
the real extraction code) is built by both engines, and every mart matches row for row (doubles
rounded to 6 decimals, timestamps compared in UTC).

Spark writes its tables as Parquet under $KOLPIPE_HOME/spark/warehouse; DuckDB reads them there,
so the comparison needs no second Spark session. Data and unit tests run on DuckDB (tests/dbt);
the Spark build runs the models and seeds only."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from kolpipe import build, land, registry
from kolpipe.core.paths import PLATFORMS, PROJECT_ROOT, Paths
from kolpipe_tools.sandbox.serve import running_sandbox
from kolpipe_tools.sandbox.server import connections
from kolpipe_tools.sandbox.world import World

pytestmark = pytest.mark.spark

SPARK_DBT = PROJECT_ROOT / ".venv-spark" / "bin" / "dbt"
END = date(2026, 11, 22)
DAYS = [END - timedelta(days=n) for n in reversed(range(14))]
MARTS = ("dim_account", "dim_kol", "fct_posts", "fct_account_daily", "kol_performance",
         "kol_cross_platform", "platform_freshness", "account_verdicts", "approved_kols")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(DuckDB warehouse file, Spark warehouse folder) built from one landing zone."""
    if not SPARK_DBT.exists():
        pytest.fail(f"{SPARK_DBT} is missing: run `make install-spark` (make test does)")
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime (17): apt-get install openjdk-17-jre-headless")
    work = tmp_path_factory.mktemp("spark_parity")
    paths = Paths(work)
    world = World(8)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(registry.dump(world.kols()), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env, running_sandbox(world) as url:
        env.setenv("KOLPIPE_REGISTRY", str(paths.registry))
        for name, value in connections(url).items():
            env.setenv(name, value)
        for day in DAYS:
            land.land_registry(day, paths)
            for platform in PLATFORMS:
                land.land_platform(platform, day, paths)
    build.dbt_build(END, paths, full_refresh=True)
    spark_env = {**os.environ, "KOLPIPE_HOME": str(work), "KOLPIPE_LANDING": str(paths.landing)}
    result = subprocess.run(
        [str(PROJECT_ROOT / "spark" / "build.sh"), "--exclude-resource-type", "test",
         "--exclude-resource-type", "unit_test", "--vars", f"{{logical_date: '{END}'}}"],
        env=spark_env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return paths.warehouse, work / "spark" / "warehouse"


def _comparable(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """A select of every column with doubles rounded and timestamps as UTC wall-clock time."""
    columns = con.execute(f"describe select * from {relation}").fetchall()
    expressions = []
    for name, data_type, *_ in columns:
        if data_type in ("DOUBLE", "FLOAT") or data_type.startswith("DECIMAL"):
            expressions.append(f'round("{name}", 6) as "{name}"')
        elif data_type == "TIMESTAMP WITH TIME ZONE":
            expressions.append(f"""timezone('UTC', "{name}") as "{name}\"""")
        else:
            expressions.append(f'"{name}"')
    return f"select {', '.join(sorted(expressions))} from {relation}"


@pytest.mark.parametrize("mart", MARTS)
def test_spark_mart_equals_duckdb_mart(builds: tuple[Path, Path], mart: str) -> None:
    duckdb_file, spark_warehouse = builds
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{duckdb_file}' as duck (read_only)")
        con.execute(f"create view spark_mart as select * from read_parquet("
                    f"'{spark_warehouse}/marts.db/{mart}/*.parquet')")
        duck_columns = {r[0] for r in con.execute(f"describe duck.marts.{mart}").fetchall()}
        spark_columns = {r[0] for r in con.execute("describe spark_mart").fetchall()}
        assert spark_columns == duck_columns
        duck_rows = con.execute(f"select count(*) from duck.marts.{mart}").fetchone()[0]
        spark_rows = con.execute("select count(*) from spark_mart").fetchone()[0]
        assert spark_rows == duck_rows
        duck_select = _comparable(con, f"duck.marts.{mart}")
        spark_select = _comparable(con, "spark_mart")
        only_duck = con.execute(f"{duck_select} except all {spark_select}").fetchall()
        only_spark = con.execute(f"{spark_select} except all {duck_select}").fetchall()
        assert (only_duck[:3], only_spark[:3]) == ([], [])


def test_parity_covers_real_data(builds: tuple[Path, Path]) -> None:
    """The comparison is not between two empty warehouses."""
    duckdb_file, _ = builds
    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        posts, rated = con.execute(
            "select count(*), count(engagement_rate_by_followers) from marts.fct_posts").fetchone()
        kols = con.execute("select count(*) from marts.dim_kol").fetchone()[0]
    assert kols == 8
    assert posts > 100 and rated > 50
