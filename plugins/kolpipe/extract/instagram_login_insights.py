"""The creator's own insights through the Instagram API with Instagram Login: each media's
lifetime metrics, the account's metrics for the logical date, and follower demographics.

Which metrics are asked for depends on the logical date, because Meta retired some:
- `impressions` was deprecated for v22.0 and for all versions on 2025-04-21 in favour of
  `views` (IG User and IG Media insights references, updated June 2026). Before that date the
  client asks for `impressions`, from it for `views`; the two are landed as separate metrics
  and never renamed into one another (they do not count the same thing).
- `profile_views` and `website_clicks` were deprecated for v21.0 and for all versions on
  2025-01-08 (IG User insights reference, v21.0) and are absent from the current metric table,
  so they are asked for only for logical dates before then.
- Per the current metric table, `views`, `accounts_engaged` and `total_interactions` exist
  only as metric_type=total_value; `follower_count` (new followers per day) is a time series,
  so it is asked for in a call of its own.
- `follower_demographics` is period=lifetime, metric_type=total_value, one breakdown per call
  (country, age, gender), with a timeframe: the table marks timeframe as required for the
  demographic metrics and, since v20.0, only this_week and this_month are accepted.
A metric the API does not serve fails the whole request ((#100) ... is no longer supported),
and missing permissions or too few viewers answer code 10 or 2xx: such a call is recorded as a
sample gap for that part and the account's other data still lands.
Doc: developers.facebook.com/docs/instagram-platform/api-reference/instagram-user/insights,
/docs/instagram-platform/reference/instagram-media/insights.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Callable

from kolpipe.extract.base import Extraction, count, parse_time
from kolpipe.extract.http import AccountError, ApiClient
from kolpipe.registry import RegistryAccount

VIEWS_FROM = date(2025, 4, 21)
PROFILE_CLICKS_UNTIL = date(2025, 1, 8)
DEMOGRAPHIC_BREAKDOWNS = ("country", "age", "gender")
DEMOGRAPHICS_TIMEFRAME = "this_month"
INSIGHTS_GAP = "insights_unavailable"


class InsightsUnavailable(AccountError):
    """One insights call the API refused for a reason that leaves the rest readable."""

    def __init__(self, message: str):
        super().__init__(INSIGHTS_GAP, message)


def shown_metric(day: date) -> str:
    return "views" if day >= VIEWS_FROM else "impressions"


def media_metrics(day: date) -> str:
    return f"reach,{shown_metric(day)},saved,shares,total_interactions"


def account_metrics(day: date) -> str:
    retired = ",profile_views,website_clicks" if day < PROFILE_CLICKS_UNTIL else ""
    return f"reach,{shown_metric(day)},accounts_engaged,total_interactions{retired}"


def day_range(day: date) -> dict[str, int]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return {"since": int(start.timestamp()), "until": int((start + timedelta(days=1)).timestamp())}


def read_media(client: ApiClient, path: str, media_id: str, account: RegistryAccount,
               out: Extraction, on_error: Callable) -> None:
    body = _guarded(out, account, "creator_insights", f"media {media_id}", lambda: client.request(
        "GET", f"{path}/{media_id}/insights", params={"metric": media_metrics(out.logical_date)},
        on_error=on_error))
    for item in (body or {}).get("data") or []:
        out.add("creator_insights", account.account_id, item, _row(media_id, out.logical_date))


def read_account(client: ApiClient, path: str, account: RegistryAccount, out: Extraction,
                 on_error: Callable) -> None:
    day = out.logical_date
    calls = ((account_metrics(day), {"metric_type": "total_value"}), ("follower_count", {}))
    for metrics, extra in calls:
        params = {"metric": metrics, "period": "day", **day_range(day), **extra}
        body = _guarded(out, account, "creator_insights", f"account metrics {metrics}",
                        lambda p=params: client.request("GET", f"{path}/me/insights", params=p,
                                                        on_error=on_error))
        for item in (body or {}).get("data") or []:
            if not isinstance(item, dict) or "total_value" in item:
                out.add("creator_insights", account.account_id, item, _row(None, day))
                continue
            for value in item.get("values") or [None]:  # one row per day of a time series
                out.add("creator_insights", account.account_id, {**item, "values": [value]},
                        _row(None, None))


def read_demographics(client: ApiClient, path: str, account: RegistryAccount, out: Extraction,
                      on_error: Callable) -> None:
    empty = []
    for breakdown in DEMOGRAPHIC_BREAKDOWNS:
        params = {"metric": "follower_demographics", "period": "lifetime",
                  "metric_type": "total_value", "timeframe": DEMOGRAPHICS_TIMEFRAME,
                  "breakdown": breakdown}
        body = _guarded(out, account, "audience_demographics", f"breakdown {breakdown}",
                        lambda p=params: client.request("GET", f"{path}/me/insights", params=p,
                                                        on_error=on_error))
        if body is None:
            continue
        results = [(group.get("dimension_keys") or [], result)
                   for item in body.get("data") or []
                   for group in (item.get("total_value") or {}).get("breakdowns") or []
                   for result in group.get("results") or []]
        if not results:
            empty.append(breakdown)
        for keys, result in results:
            out.add("audience_demographics", account.account_id, result,
                    _demographic_row(breakdown, keys))
    if empty:
        # The reference: not returned for accounts with fewer than 100 followers.
        out.sample_gaps.append({"account_id": account.account_id,
                                "entity": "audience_demographics",
                                "message": f"no follower demographics by {', '.join(empty)}: "
                                           "Meta returns none for accounts under 100 followers"})


def _guarded(out: Extraction, account: RegistryAccount, entity: str, what: str,
             call: Callable[[], dict]) -> dict | None:
    try:
        return call()
    except InsightsUnavailable as exc:
        out.sample_gaps.append({"account_id": account.account_id, "entity": entity,
                                "message": f"{what}: {exc}"})
        return None


def _row(post_id: str | None, day: date | None) -> Callable[[dict], dict]:
    """A total_value or lifetime value counts for `day`; a day's time-series value carries
    end_time, the end of the day it counts (07:00 UTC, Meta's Pacific midnight, in the
    reference's examples), so it counts for the day before end_time."""
    def parse(item: dict) -> dict:
        if "total_value" in item:
            value = item["total_value"]["value"]
        else:
            value = item["values"][0]["value"]
        metric_date = day or (parse_time(item["values"][0]["end_time"]) - timedelta(days=1)).date()
        if value is None or isinstance(value, (bool, dict, list)):
            raise ValueError(f"{item.get('name')}: value {value!r} is not a count")
        return {"post_id": post_id, "metric_date": metric_date, "period": item["period"],
                "metric": item["name"], "value": count(value)}
    return parse


def _demographic_row(breakdown: str, keys: list) -> Callable[[dict], dict]:
    """The bucket is the value under the breakdown's key: the reference's demographics example
    answers dimension_keys [timeframe, country], so the bucket is not always the first value."""
    def parse(result: dict) -> dict:
        values = result["dimension_values"]
        bucket = values[keys.index(breakdown)] if breakdown in keys else values[-1]
        return {"dimension": breakdown, "bucket": str(bucket),
                "value": float(result["value"]), "unit": "followers"}
    return parse
