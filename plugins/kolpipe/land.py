"""The extract-and-land stage for one platform and one logical date: the single code path used
by the DAG task, the command line and the demo's history bootstrap.

Accounts are extracted in chunks; after each chunk the rows so far and the accounts done are
saved in a checkpoint (runs/extract/dt=<date>/<platform>.checkpoint/), so a run interrupted
by an outage, a quota or a killed worker resumes with the accounts not yet done instead of
starting again from the first page. The checkpoint is removed once the partitions are landed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from kolpipe import registry
from kolpipe.core import files
from kolpipe.core.dates import check_logical_date
from kolpipe.core.fields import (
    GAP_SCHEMA,
    QUARANTINE_SCHEMA,
    REGISTRY_SCHEMA,
    entities,
    schema,
)
from kolpipe.core.paths import Paths, run_record
from kolpipe.core.paths import paths as default_paths
from kolpipe.extract import authorized
from kolpipe.extract.base import Extraction
from kolpipe.extract.grants import default_store as default_grants
from kolpipe.extract.http import Connection, PlatformError, connection

log = logging.getLogger(__name__)

# A multiple of every batch size (YouTube 50 ids, X 100 ids, TikTok 20 names): a checkpoint
# never splits a batch the API would have taken whole.
ACCOUNTS_PER_CHECKPOINT = 100


def client_module(platform: str):
    return importlib.import_module(f"kolpipe.extract.{platform}")


def land_registry(logical_date: date, paths: Paths | None = None) -> int:
    """Validate the registry and land its snapshot for the date; returns the account count."""
    paths = paths or default_paths()
    # The registry has no clock of its own: the future is refused where the date is given
    # (the CLI) and where data is extracted (land_platform).
    check_logical_date(logical_date, simulated=True)
    kols = registry.load(paths.registry)
    rows = registry.snapshot_rows(kols, logical_date)
    _check_registry_drop(paths, logical_date, len(rows))
    return files.write_partition(files.raw_file(paths, "registry", "accounts", logical_date),
                                   rows, REGISTRY_SCHEMA)


def _check_registry_drop(paths: Paths, logical_date: date, accounts: int) -> None:
    """A registry that lost more than a share of the previous day's accounts is more often a
    bad edit (a half-saved file, a wrong branch) than a decision: refuse it unless confirmed."""
    previous = files.raw_file(paths, "registry", "accounts", logical_date - timedelta(days=1))
    if not previous.exists():
        return
    before = files.read_partition(previous).num_rows
    max_drop = float(os.environ.get(registry.MAX_DROP_ENV, registry.MAX_DROP_SHARE))
    if before and (before - accounts) / before > max_drop and os.environ.get(
            registry.ALLOW_DROP_ENV) != "1":
        raise registry.RegistryError(
            f"{paths.registry}: {accounts} accounts against {before} on "
            f"{logical_date - timedelta(days=1)}, a drop over {max_drop:.0%}. If that is "
            f"intended, set {registry.ALLOW_DROP_ENV}=1 for this run (or raise "
            f"{registry.MAX_DROP_ENV}); otherwise fix the registry file")


def land_platform(platform: str, logical_date: date, paths: Paths | None = None,
                     conn: Connection | None = None, grants=None) -> dict:
    """Extract every registered account of a platform for the date and land the partitions.

    Account-level problems (private, deleted, renamed, a creator's consent ended) are recorded
    and the run carries on; a platform-level problem (token, quota, outage) raises
    PlatformError after recording it. Accounts marked `access: authorized` are read with their
    creator's grant from `grants` (default: Airflow Variables, see extract/grants.py).
    Returns the run summary that is also written to runs/extract/dt=<date>/<platform>.json.
    """
    paths = paths or default_paths()
    accounts = registry.accounts_for(registry.load(paths.registry), platform)
    no_public: PlatformError | None = None
    try:
        conn = conn or connection(platform)
    except PlatformError as exc:
        check_logical_date(logical_date, platform)  # an impossible date is refused, not a gap
        if not any(a.access == "authorized" for a in accounts):
            _record_stop(paths, platform, logical_date, accounts, [], exc)
            raise
        # authorized accounts need no public connection: the others are gaps, not a stop
        conn, no_public = Connection(platform, "", "", {}), exc
    check_logical_date(logical_date, platform, simulated=bool(conn.extra.get("sandbox")))
    module = client_module(platform)
    extracted_at = _extraction_time(logical_date)
    out = Extraction(platform, logical_date, extracted_at)
    checkpoint = Checkpoint(
        _summary_file(paths, platform, logical_date).with_suffix(".checkpoint"), platform,
        registry_fingerprint(accounts))
    done, calls_before = checkpoint.restore(out)
    todo = [a for a in accounts if a.account_id not in done]
    if done:
        log.info("%s %s: resuming from checkpoint, %d of %d accounts already done", platform,
                 logical_date, len(accounts) - len(todo), len(accounts))
    log.info("%s %s: extracting %d accounts from %s", platform, logical_date, len(todo),
             conn.base_url or "the creators' grants")
    grants = grants or default_grants()
    as_of = logical_date.isoformat()
    with module.make_client(conn, as_of=as_of) as client:
        out.stats = client.stats
        try:
            for start in range(0, len(todo), ACCOUNTS_PER_CHECKPOINT):
                chunk = todo[start:start + ACCOUNTS_PER_CHECKPOINT]
                public = authorized.extract(platform, chunk, out, grants, as_of, no_public)
                if public:
                    module.extract(client, public, out)
                done |= {a.account_id for a in chunk}
                checkpoint.save(out, done, calls_before + client.stats.calls)
                log.info("%s %s: %d of %d accounts done, %d API calls", platform, logical_date,
                         len(accounts) - len(todo) + start + len(chunk), len(accounts),
                         client.stats.calls)
        except PlatformError as exc:
            summary = {**out.summary(), "error": str(exc), "error_kind": exc.kind,
                       "checkpoint_accounts_done": len(done)}
            files.write_json(_summary_file(paths, platform, logical_date), summary)
            _record_stop(paths, platform, logical_date, accounts, out.account_errors, exc)
            raise
    for entity in entities(platform):
        files.write_partition(files.raw_file(paths, platform, entity, logical_date),
                                out.rows[entity], schema(platform, entity))
    files.write_partition(files.quarantine_file(paths, platform, logical_date),
                            out.quarantine, QUARANTINE_SCHEMA)
    files.write_partition(files.gaps_file(paths, platform, logical_date),
                          _gap_rows(platform, logical_date, extracted_at, out.account_errors),
                          GAP_SCHEMA)
    summary = out.summary()
    summary["registered_accounts"] = len(accounts)
    summary["resumed_accounts"] = len(accounts) - len(todo)
    summary["api_calls_before_resume"] = calls_before
    summary["ran_at"] = datetime.now(UTC).isoformat()
    files.write_json(_summary_file(paths, platform, logical_date), summary)
    checkpoint.remove()
    log.info("%s %s: landed %s, quarantined %d, %d account errors, %d API calls (%d quota "
             "units, %d retries)", platform, logical_date, summary["rows"],
             summary["quarantined"], len(summary["account_errors"]), summary["api_calls"],
             summary["quota_units"], summary["retries"])
    return summary


def _record_stop(paths: Paths, platform: str, logical_date: date,
                 accounts: list[registry.RegistryAccount], account_errors: list[dict],
                 stop: PlatformError) -> None:
    """A stopped run lands nothing for the date: every account is a gap, for its own error if
    it had one, else for the platform's reason. The file is kept after a catch-up."""
    failed = {e["account_id"] for e in account_errors}
    errors = [*account_errors, *({"kol_id": a.kol_id, "account_id": a.account_id,
                                  "handle": a.handle, "kind": stop.kind, "message": str(stop)}
                                 for a in accounts if a.account_id not in failed)]
    now = datetime.now(UTC)
    files.write_partition(files.gaps_file(paths, platform, logical_date, now),
                          _gap_rows(platform, logical_date, now, errors, platform_failed=True),
                          GAP_SCHEMA)


def _gap_rows(platform: str, logical_date: date, recorded_at: datetime, errors: list[dict],
              platform_failed: bool = False) -> list[dict]:
    return [{"platform": platform, **{k: e[k] for k in ("kol_id", "account_id", "handle",
                                                         "kind", "message")},
             "logical_date": logical_date, "recorded_at": recorded_at,
             "platform_failed": platform_failed,
             "first_party_only": bool(e.get("first_party_only"))} for e in errors]


def registry_fingerprint(accounts: list[registry.RegistryAccount]) -> str:
    """Which accounts a checkpoint was made for: a change in the registry invalidates it."""
    listed = "\n".join(sorted(f"{a.kol_id}|{a.account_id}|{a.handle}" for a in accounts))
    return hashlib.sha256(listed.encode("utf-8")).hexdigest()


def _extraction_time(logical_date: date) -> datetime:
    """The moment the day's snapshot stands for: the end of the logical date. Using it instead
    of the wall clock keeps reruns and backfills byte-for-byte identical."""
    return datetime.combine(logical_date + timedelta(days=1), time(0), tzinfo=UTC)


def _summary_file(paths: Paths, platform: str, logical_date: date):
    return run_record(paths, "extract", logical_date, f"{platform}.json")


class Checkpoint:
    """The rows landed so far and the accounts done, for one platform and date. Each save adds
    one part per entity with the rows new since the last save, then rewrites progress.json,
    which names the parts; a part not named there (a crash mid-save) is ignored."""

    def __init__(self, folder: Path, platform: str, registry: str = ""):
        self.folder = folder
        self.platform = platform
        self.registry = registry  # the fingerprint of the accounts it was made for
        self._saved: dict[str, int] = {}  # entity -> rows already in parts
        self._parts = 0

    @property
    def _progress_file(self) -> Path:
        return self.folder / "progress.json"

    def restore(self, out: Extraction) -> tuple[set[str], int]:
        """Loads saved rows into `out`; returns the accounts done and the API calls they took."""
        if not self._progress_file.exists():
            return set(), 0
        progress = json.loads(self._progress_file.read_text())
        if progress.get("registry") != self.registry:
            # the registry changed since: a removed account must not land from the old run
            log.warning("%s: checkpoint in %s was made for another registry; starting over",
                        self.platform, self.folder)
            self.remove()
            return set(), 0
        self._parts = progress["parts"]
        for part in range(self._parts):
            for entity in [*entities(self.platform), "quarantine"]:
                rows = files.read_partition(self._part_file(entity, part)).to_pylist()
                (out.quarantine if entity == "quarantine" else out.rows[entity]).extend(rows)
        out.account_errors.extend(progress["account_errors"])
        out.sample_gaps.extend(progress["sample_gaps"])
        self._remember(out)
        return set(progress["accounts_done"]), progress["api_calls"]

    def save(self, out: Extraction, accounts_done: set[str], api_calls: int) -> None:
        for entity in [*entities(self.platform), "quarantine"]:
            rows = out.quarantine if entity == "quarantine" else out.rows[entity]
            table_schema = QUARANTINE_SCHEMA if entity == "quarantine" else schema(
                self.platform, entity)
            files.write_partition(self._part_file(entity, self._parts),
                                    rows[self._saved.get(entity, 0):], table_schema)
        self._parts += 1
        self._remember(out)
        files.write_json(self._progress_file, {
            "parts": self._parts, "registry": self.registry,
            "accounts_done": sorted(accounts_done),
            "account_errors": out.account_errors, "sample_gaps": out.sample_gaps,
            "api_calls": api_calls})

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _remember(self, out: Extraction) -> None:
        self._saved = {e: len(out.rows[e]) for e in entities(self.platform)}
        self._saved["quarantine"] = len(out.quarantine)

    def _part_file(self, entity: str, part: int) -> Path:
        return self.folder / entity / f"part-{part:05d}.parquet"
