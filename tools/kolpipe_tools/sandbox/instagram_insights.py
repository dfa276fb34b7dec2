"""What a consenting Instagram creator's insights are in the sandbox: derived from the world
(followers, posts and their metrics), each share drawn once per post or account so a value is
the same whenever it is asked for. The routes in routes/instagram_login.py serve these; the
tests compare the landed rows with them."""

from __future__ import annotations

from datetime import date, timedelta

from kolpipe_tools.sandbox import constants as c
from kolpipe_tools.sandbox.draws import rng
from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.world import Account

# When Meta retired a metric for every API version (IG User / IG Media insights references).
VIEWS_FROM = date(2025, 4, 21)  # impressions -> views
PROFILE_CLICKS_UNTIL = date(2025, 1, 8)  # profile_views, website_clicks
MIN_DEMOGRAPHIC_FOLLOWERS = 100
AGES = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("F", "M", "U")
COUNTRIES = ("US", "BR", "IN", "GB", "DE", "FR", "ES", "IT", "MX", "ID", "JP", "TR", "CA", "AU")


def available(metric: str, day: date) -> bool:
    """Whether the API serves `metric` for a request made on `day`."""
    if metric == "impressions":
        return day < VIEWS_FROM
    if metric == "views":
        return day >= VIEWS_FROM
    if metric in ("profile_views", "website_clicks"):
        return day < PROFILE_CLICKS_UNTIL
    return True


def media_insights(account: Account, post: Post, as_of: date) -> dict[str, int]:
    """A media's lifetime metrics as of the end of `as_of`."""
    m = account.metrics_on(post, as_of)
    shares = rng("ig-media-insights", post.post_id)
    reach = round(m.views * shares.uniform(0.55, 0.85))
    saved = round(m.likes * shares.uniform(0.02, 0.06))
    shared = round(m.likes * shares.uniform(0.01, 0.04))
    return {"reach": reach, "views": m.views, "impressions": m.views, "saved": saved,
            "shares": shared, "total_interactions": m.likes + m.comments + saved + shared}


def account_insights(account: Account, day: date) -> dict[str, int]:
    """The account's metrics for one day: what its posts gained that day."""
    views = likes = comments = 0
    for post in account.recent_posts(day, c.RECENT_POST_DAYS):
        today, before = account.metrics_on(post, day), account.metrics_on(post, day - timedelta(1))
        views += max(0, today.views - before.views)
        likes += max(0, today.likes - before.likes)
        comments += max(0, today.comments - before.comments)
    shares = rng("ig-account-insights", account.key)
    reach = round(views * shares.uniform(0.4, 0.7))
    new_followers = account.followers_on(day) - account.followers_on(day - timedelta(1))
    return {"reach": reach, "views": views, "impressions": views,
            "accounts_engaged": round(reach * shares.uniform(0.03, 0.08)),
            "total_interactions": likes + comments,
            "profile_views": round(reach * shares.uniform(0.01, 0.03)),
            "website_clicks": round(reach * shares.uniform(0.001, 0.005)),
            "follower_count": max(0, new_followers)}


def follower_demographics(account: Account, as_of: date, breakdown: str) -> dict[str, int]:
    """Followers by country, age or gender: stable shares of today's followers. Empty under
    100 followers, as Meta returns none."""
    followers = account.followers_on(as_of)
    if followers < MIN_DEMOGRAPHIC_FOLLOWERS:
        return {}
    source = rng("ig-demographics", account.key, breakdown)
    if breakdown == "country":
        buckets = tuple(source.sample(COUNTRIES, 5))
    else:
        buckets = AGES if breakdown == "age" else GENDERS
    weights = {bucket: source.uniform(0.2, 1.0) for bucket in buckets}
    total = sum(weights.values())
    return {bucket: round(followers * weight / total) for bucket, weight in weights.items()}
