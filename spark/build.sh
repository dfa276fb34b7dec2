#!/usr/bin/env bash
# `dbt build` of the kol project on a local Spark session (profile: spark/profiles.yml).
# Reads the landing zone $KOLPIPE_LANDING (default $KOLPIPE_HOME/landing; KOLPIPE_HOME defaults
# to var/); Spark's warehouse, metastore, dbt target and logs go under $KOLPIPE_HOME/spark.
# Extra arguments go to dbt, e.g.  spark/build.sh --select marts --vars '{logical_date: 2026-11-22}'
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export KOLPIPE_HOME="$(realpath -m "${KOLPIPE_HOME:-$repo/var}")"
export KOLPIPE_LANDING="${KOLPIPE_LANDING:-$KOLPIPE_HOME/landing}"
# dbt-duckdb's profile is not used here, but the project's env_var() calls must resolve.
export KOLPIPE_WAREHOUSE="${KOLPIPE_WAREHOUSE:-$KOLPIPE_HOME/warehouse/unused-by-spark.duckdb}"
spark_dir="$KOLPIPE_HOME/spark"
mkdir -p "$spark_dir"
echo "Building the dbt project on Spark from $KOLPIPE_LANDING (state in $spark_dir)..."
# Spark and Derby write stray files (derby.log, spark-warehouse) to the working directory.
cd "$spark_dir"
exec "$repo/.venv-spark/bin/dbt" build --project-dir "$repo/dbt" --profiles-dir "$repo/spark" \
    --target-path "$spark_dir/dbt_target" --log-path "$spark_dir/logs" "$@"
