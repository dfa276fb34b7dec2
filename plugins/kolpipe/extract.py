"""The extract-and-land stage for one platform and one logical date: the single code path used
by the DAG task, the command line and the demo's history bootstrap."""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, date, datetime, time, timedelta

from kolpipe import landing, registry
from kolpipe.config import Paths, paths as default_paths
from kolpipe.landing_schema import ENTITIES, QUARANTINE_SCHEMA, REGISTRY_SCHEMA, schema
from kolpipe.platforms.base import Extraction
from kolpipe.platforms.http import Connection, PlatformError, connection

log = logging.getLogger(__name__)


def client_module(platform: str):
    return importlib.import_module(f"kolpipe.platforms.{platform}")


def land_registry(logical_date: date, paths: Paths | None = None) -> int:
    """Validate the registry and land its snapshot for the date; returns the account count."""
    paths = paths or default_paths()
    kols = registry.load(paths.registry)
    rows = registry.snapshot_rows(kols, logical_date)
    return landing.write_partition(landing.raw_file(paths, "registry", "accounts", logical_date),
                                   rows, REGISTRY_SCHEMA)


def extract_platform(platform: str, logical_date: date, paths: Paths | None = None,
                     conn: Connection | None = None) -> dict:
    """Extract every registered account of a platform for the date and land the partitions.

    Account-level problems (private, deleted, renamed) are recorded and the run carries on;
    a platform-level problem (token, quota, outage) raises PlatformError after recording it.
    Returns the run summary that is also written to runs/extract/dt=<date>/<platform>.json.
    """
    paths = paths or default_paths()
    accounts = registry.accounts_for(registry.load(paths.registry), platform)
    module = client_module(platform)
    conn = conn or connection(platform)
    extracted_at = _extraction_time(logical_date)
    out = Extraction(platform, logical_date, extracted_at)
    log.info("%s %s: extracting %d accounts from %s", platform, logical_date, len(accounts),
             conn.base_url)
    with module.make_client(conn, as_of=logical_date.isoformat()) as client:
        out.stats = client.stats
        try:
            module.extract(client, accounts, out)
        except PlatformError as exc:
            summary = {**out.summary(), "error": str(exc)}
            landing.write_json(_summary_file(paths, platform, logical_date), summary)
            raise
    for entity in ENTITIES:
        landing.write_partition(landing.raw_file(paths, platform, entity, logical_date),
                                out.rows[entity], schema(platform, entity))
    landing.write_partition(landing.quarantine_file(paths, platform, logical_date),
                            out.quarantine, QUARANTINE_SCHEMA)
    summary = out.summary()
    summary["registered_accounts"] = len(accounts)
    summary["ran_at"] = datetime.now(UTC).isoformat()
    landing.write_json(_summary_file(paths, platform, logical_date), summary)
    log.info("%s %s: landed %s, quarantined %d, %d account errors, %d API calls (%d quota "
             "units, %d retries)", platform, logical_date, summary["rows"],
             summary["quarantined"], len(summary["account_errors"]), summary["api_calls"],
             summary["quota_units"], summary["retries"])
    return summary


def _extraction_time(logical_date: date) -> datetime:
    """The moment the day's snapshot stands for: the end of the logical date. Using it instead
    of the wall clock keeps reruns and backfills byte-for-byte identical."""
    return datetime.combine(logical_date + timedelta(days=1), time(0), tzinfo=UTC)


def _summary_file(paths: Paths, platform: str, logical_date: date):
    return paths.runs / "extract" / f"dt={logical_date.isoformat()}" / f"{platform}.json"
