"""The publish stage: BI readers get the finished warehouse in one atomic swap, never a
half-built file, and never block a build; each mart is also exported as Parquet."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import date

from kolpipe import build
from kolpipe.core.paths import Paths
from kolpipe.core.paths import paths as default_paths

log = logging.getLogger(__name__)

# dbt's schema for the marts (dbt/macros/generate_schema_name.sql keeps configured names).
MARTS_SCHEMA = "marts"
# The marts BI tools read; each is exported as Parquet on publish.
PUBLISHED_MARTS = ("dim_kol", "dim_account", "fct_posts", "fct_account_daily", "kol_performance",
                   "kol_cross_platform", "approved_kols", "account_verdicts",
                   "platform_freshness", "audience_credibility", "account_gaps",
                   "fct_creator_insights_daily", "post_insights", "audience_demographics")


def publish(logical_date: date, paths: Paths | None = None) -> dict[str, int]:
    """Swap the readers' file for a copy of the finished build, then export the marts.

    The copy is written beside the published file and renamed over it, so a reader opening
    the file sees the old or the new warehouse, never a half-written one."""
    import duckdb

    # here, not at the top: the DAG file imports this module, and files loads pyarrow
    from kolpipe.core.files import temporary_beside

    paths = paths or default_paths()
    build.release_warehouse()
    paths.published.parent.mkdir(parents=True, exist_ok=True)
    staged = temporary_beside(paths.published)
    # dbt may leave recent writes in the write-ahead log; fold them into the file before copying.
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("checkpoint")
    shutil.copyfile(paths.warehouse, staged)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staged)) as con:
        export_dir = paths.exports / f"dt={logical_date.isoformat()}"
        export_dir.mkdir(parents=True, exist_ok=True)
        for mart in PUBLISHED_MARTS:
            relation = con.table(f"{MARTS_SCHEMA}.{mart}")
            counts[mart] = len(relation)
            relation.write_parquet(str(export_dir / f"{mart}.parquet"))
    os.replace(staged, paths.published)
    latest = paths.exports / "latest"
    staged_link = temporary_beside(latest)
    os.symlink(export_dir.name, staged_link)
    os.replace(staged_link, latest)
    log.info("published %s for %s: %s", paths.published, logical_date, counts)
    return counts
