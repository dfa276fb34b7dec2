"""What every platform client returns: typed rows per entity, quarantined records with their
reason, and the accounts that could not be extracted and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Callable

from kolpipe.core.fields import CREATOR_ENTITIES, ENTITIES, SAMPLE_ENTITIES, entities
from kolpipe.extract.http import AccountError, CallStats
from kolpipe.registry import RegistryAccount

# Posts are re-observed daily for this many days after publication, long enough to read each
# post's metrics at the fixed age of 7 days used by the marts.
POST_WINDOW_DAYS = 14
# Samples stay small and bounded so they cost a fixed number of calls per account-day: the
# first page of followers (the newest ones, where bought followers show first), and the
# newest comments of the posts published in the last few days (when most comments arrive).
FOLLOWER_SAMPLE_SIZE = 100
COMMENT_SAMPLE_DAYS = 2
COMMENTS_PER_POST = 50
MAX_COUNT = 2**63 - 1  # the landed type's (int64) largest value
# What reading a reply of the wrong shape raises (a null where a list belongs, a list where an
# object belongs): it fails the accounts the reply was read for, never the platform.
READ_ERRORS = (LookupError, TypeError, AttributeError, ValueError)


@dataclass
class Extraction:
    platform: str
    logical_date: date
    extracted_at: datetime
    rows: dict[str, list[dict]] = field(
        default_factory=lambda: {e: [] for e in ENTITIES + SAMPLE_ENTITIES + CREATOR_ENTITIES})
    quarantine: list[dict] = field(default_factory=list)
    account_errors: list[dict] = field(default_factory=list)
    # Samples that could not be read for an account whose profile and posts did land
    # (comments turned off, followers list hidden): recorded, not an account failure.
    sample_gaps: list[dict] = field(default_factory=list)
    stats: CallStats = field(default_factory=CallStats)
    # Creators' consents ending soon, revoked or ended today (extract/authorized.py): alerted
    # on, so someone asks the creator to connect again.
    consent_events: list[dict] = field(default_factory=list)
    read_with_grant: list[str] = field(default_factory=list)  # accounts read with consent

    @property
    def window_start(self) -> datetime:
        first_day = self.logical_date - timedelta(days=POST_WINDOW_DAYS - 1)
        return datetime.combine(first_day, time(0), tzinfo=UTC)

    @property
    def window_end(self) -> datetime:
        return datetime.combine(self.logical_date + timedelta(days=1), time(0), tzinfo=UTC)

    def add(self, entity: str, account_id: str, item: Any,
            parse: Callable[[Any], dict]) -> dict | None:
        """Parse one payload item into a typed row; a record that does not parse goes to
        quarantine with the reason instead of being dropped."""
        payload = json.dumps(item, ensure_ascii=False, sort_keys=True, default=str)
        try:
            native = parse(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.reject(entity, account_id, item,
                        f"unparseable {entity} record: {type(exc).__name__}: {exc}")
            return None
        row = {"account_id": account_id, **native, "logical_date": self.logical_date,
               "extracted_at": self.extracted_at, "raw_payload": payload}
        self.rows[entity].append(row)
        return row

    def reject(self, entity: str, account_id: str, item: Any, reason: str) -> None:
        """Quarantine a record (or, for an id the platform did not return, {"id": ...}) with
        the reason: nothing requested is dropped without a trace."""
        self.quarantine.append({
            "platform": self.platform, "entity": entity, "account_id": account_id,
            "reason": reason, "logical_date": self.logical_date,
            "extracted_at": self.extracted_at,
            "raw_payload": json.dumps(item, ensure_ascii=False, sort_keys=True, default=str),
        })

    def add_post(self, account_id: str, item: Any, parse_post: Callable[[Any], dict],
                 parse_metrics: Callable[[Any], dict]) -> tuple[dict, dict] | None:
        """A post item yields the post's attributes and today's observation of its metrics;
        returns both rows, or None when either went to quarantine."""
        post = self.add("posts", account_id, item, parse_post)
        if post is None:
            return None
        metrics = self.add("post_metrics", account_id, item, parse_metrics)
        return None if metrics is None else (post, metrics)

    def wants_comments(self, published_at: datetime) -> bool:
        """Whether a post is young enough for today's comment sample."""
        first_day = self.logical_date - timedelta(days=COMMENT_SAMPLE_DAYS - 1)
        return datetime.combine(first_day, time(0), tzinfo=UTC) <= published_at < self.window_end

    def in_window(self, published_at: datetime) -> bool:
        return self.window_start <= published_at < self.window_end

    def add_sample(self, entity: str, account_id: str, read_page: Callable[[], list],
                   parse: Callable[[Any], dict], gap_prefix: str = "") -> None:
        """One page of a follower or comment sample: its items land like any record, and a
        page the platform refuses for this account (an AccountError: comments turned off,
        followers hidden) becomes a sample gap instead of an account failure."""
        try:
            items = read_page()
            if not isinstance(items, list):
                raise TypeError(f"a page of {type(items).__name__}, not a list")
        except (AccountError, *READ_ERRORS) as exc:
            self.sample_gaps.append({"account_id": account_id, "entity": entity,
                                     "message": f"{gap_prefix}{exc}"})
            return
        for item in items:
            self.add(entity, account_id, item, parse)

    def guard(self, accounts: list[RegistryAccount], prefix: str | None = None) -> Guard:
        """`with out.guard(accounts):` around the calls made for these accounts: an
        AccountError, or a reply that cannot be read, fails them (recorded with the reason)
        and the run carries on with the next. `prefix` says which call failed."""
        return Guard(self, accounts, prefix)

    def add_account(self, account: RegistryAccount, item: Any,
                    parse: Callable[[Any], dict]) -> dict | None:
        """The account's profile row; when it is quarantined the account is also recorded as
        failed, because its posts and samples are not read without a profile."""
        row = self.add("accounts", account.account_id, item, parse)
        if row is None:
            self.account_failed(account, "profile_quarantined",
                                f"{self.platform} {account.kol_id}: the profile record did not "
                                "parse (its reason is in the quarantine), so its posts and "
                                "samples were not read today")
        return row

    def account_failed(self, account: RegistryAccount, kind: str, message: str,
                       first_party_only: bool = False) -> None:
        """Record why an account was not read; `first_party_only`: its public data is read
        anyway, only what the creator's consent gives is missing (extract/authorized.py)."""
        self.account_errors.append({"kol_id": account.kol_id, "account_id": account.account_id,
                                    "handle": account.handle, "kind": kind, "message": message,
                                    "first_party_only": first_party_only})

    def summary(self) -> dict:
        return {
            "platform": self.platform,
            "logical_date": self.logical_date.isoformat(),
            "extracted_at": self.extracted_at.isoformat(),
            "rows": {entity: len(rows) for entity, rows in self.rows.items()
                     if entity in entities(self.platform)},
            "quarantined": len(self.quarantine),
            "account_errors": self.account_errors,
            "sample_gaps": self.sample_gaps,
            "consent_events": self.consent_events,
            "read_with_grant_ids": sorted(self.read_with_grant),
            "api_calls": self.stats.calls,
            "retries": self.stats.retries,
            "throttled": self.stats.throttled,
            "quota_units": self.stats.quota_units,
        }


def count(value: Any) -> int | None:
    """A platform count as an int; None stays None (hidden or not returned). Placeholders such
    as -1 for a hidden like count become None so they never reach a rate."""
    if value is None:
        return None
    number = int(value)
    if number > MAX_COUNT:
        # would not fit the landed int64: this record is quarantined, the others land
        raise ValueError(f"count {number} is larger than any real count ({MAX_COUNT})")
    return None if number < 0 else number


def required_count(item: Any, name: str) -> int | None:
    """A count the platform always returns: missing or null is a broken record (quarantined
    with this reason), never "hidden". A placeholder such as -1 is still hidden (None)."""
    if item.get(name) is None:
        raise ValueError(f"required count {name} is {'null' if name in item else 'missing'}")
    return count(item[name])


def parse_time(value: str) -> datetime:
    """ISO 8601 with Z or an offset, as Instagram, YouTube and X send it."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


class Guard:
    """See Extraction.guard; `failed` tells the code after the block to skip these accounts."""

    def __init__(self, out: Extraction, accounts: list[RegistryAccount], prefix: str | None):
        self.out, self.accounts, self.prefix = out, accounts, prefix
        self.failed = False

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, AccountError):
            reason, detail = exc.kind, str(exc)
        elif isinstance(exc, READ_ERRORS):
            reason = "malformed_reply"
            detail = f"a reply the client could not read ({type(exc).__name__}: {exc})"
        else:
            return False
        for account in self.accounts:
            message = (detail if self.prefix is None and reason != "malformed_reply" else
                       f"{self.out.platform} {account.kol_id}: {self.prefix or ''}{detail}")
            self.out.account_failed(account, reason, message)
        self.failed = True
        return True
