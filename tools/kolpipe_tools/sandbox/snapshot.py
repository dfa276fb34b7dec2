"""A snapshot of the sandbox: the world's state and every route's responses for a handful of
accounts and dates, as JSON lines, to show a refactor of the world or the server changes
nothing (`python -m kolpipe_tools.sandbox.snapshot OUT`, then diff two snapshots)."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from kolpipe.core.paths import PLATFORMS
from kolpipe_tools.sandbox.server import TOKENS, Faults, create_app
from kolpipe_tools.sandbox.world import World

DATES = (date(2025, 11, 3), date(2026, 3, 14), date(2026, 11, 20))
PER_PLATFORM = 6


def world_lines(world: World) -> list[dict]:
    """The world's own state: the registry, the labels, and per account a few days of
    followers, posts, metrics, comments and follower samples."""
    lines: list[dict] = [{"kols": world.kols()}, {"labels": world.labels()}]
    for account in world.accounts[::7]:
        for d in DATES:
            posts = account.recent_posts(d, 5)
            lines.append({
                "account": account.key, "date": d.isoformat(),
                "exists": account.exists_on(d), "private": account.is_private_on(d),
                "handle": account.handle_on(d), "followers": account.followers_on(d),
                "following": account.following_on(d),
                "fake_share": account.fake_follower_share_on(d),
                "posts": [repr(p) for p in posts],
                "metrics": [repr(account.metrics_on(p, d)) for p in posts],
                "comments": [repr(c) for p in posts[:2] for c in account.comments_on(p, d, 12)],
                "followers_sample": account.follower_sample(d, 5),
            })
    return lines


def _sample(world: World, platform: str) -> list:
    """Accounts of the platform with problems first (private, renamed, churned, pods...)."""
    accounts = [a for a in world.accounts if a.platform == platform]
    with_problems = [a for a in accounts if a.problems][:PER_PLATFORM]
    return with_problems + [a for a in accounts if not a.problems][:PER_PLATFORM // 2]


def route_lines(world: World, faults: Faults | None = None) -> list[dict]:
    client = TestClient(create_app(world, faults))
    lines = []

    def call(method: str, platform: str, path: str, d: date, token: str | None = None,
             **kwargs) -> dict:
        headers = {"authorization": f"Bearer {token or TOKENS[platform]}",
                   "x-sandbox-as-of": d.isoformat()}
        response = client.request(method, path, headers=headers, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        # The body as served, byte for byte (key order included).
        line = {"request": [method, path, d.isoformat(), kwargs], "status": response.status_code,
                "body": response.text}
        lines.append(line)
        return body if isinstance(body, dict) else {}

    for d in DATES:
        for platform in PLATFORMS:
            call("GET", platform, {"instagram": "/instagram/v21.0/1", "youtube":
                                   "/youtube/v3/channels", "tiktok": "/tiktok/x", "x": "/x/2/users",
                                   "weibo": "/weibo/2/users/show.json"}[platform], d,
                 token="wrong")
        for a in _sample(world, "instagram"):
            h = a.handle_on(d)
            call("GET", "instagram", "/instagram/v21.0/17841400000000001", d,
                 params={"fields": f"business_discovery.username({h}){{followers_count,media}}"})
            call("GET", "instagram", "/instagram/v21.0/17841400000000001", d,
                 params={"fields": f"business_discovery.username({h}){{media.after(1)}}"})
        call("GET", "instagram", "/instagram/v21.0/1", d, params={"fields": "id"})
        yt = _sample(world, "youtube")
        call("GET", "youtube", "/youtube/v3/channels", d,
             params={"id": ",".join(a.user_id for a in yt) + ",UCnope", "part": "snippet"})
        for a in yt:
            body = call("GET", "youtube", "/youtube/v3/playlistItems", d,
                        params={"playlistId": "UU" + a.user_id[2:], "maxResults": 3})
            ids = [i["contentDetails"]["videoId"] for i in body.get("items", [])
                   if isinstance(i, dict) and isinstance(i.get("contentDetails"), dict)]
            if body.get("nextPageToken"):
                call("GET", "youtube", "/youtube/v3/playlistItems", d,
                     params={"playlistId": "UU" + a.user_id[2:], "maxResults": 3,
                             "pageToken": body["nextPageToken"]})
            if ids:
                call("GET", "youtube", "/youtube/v3/videos", d, params={"id": ",".join(ids)})
                call("GET", "youtube", "/youtube/v3/commentThreads", d,
                     params={"videoId": ids[0], "maxResults": 7})
                call("GET", "youtube", "/youtube/v3/commentThreads", d,
                     params={"videoId": ids[0], "maxResults": 7, "pageToken": "7"})
        call("GET", "youtube", "/youtube/v3/commentThreads", d, params={"videoId": "nope"})
        for a in _sample(world, "tiktok"):
            h = a.handle_on(d)
            call("POST", "tiktok", "/tiktok/v2/research/user/info/", d, json={"username": h})
            body = call("POST", "tiktok", "/tiktok/v2/research/video/query/", d, json={
                "query": {"and": [{"field_values": [h]}]},
                "start_date": (d - timedelta(days=10)).strftime("%Y%m%d"), "max_count": 4})
            call("POST", "tiktok", "/tiktok/v2/research/user/followers/", d,
                 json={"username": h, "max_count": 6})
            videos = body.get("data", {}).get("videos", []) if isinstance(
                body.get("data"), dict) else []
            for v in videos[:2]:
                if isinstance(v, dict) and "id" in v:
                    call("POST", "tiktok", "/tiktok/v2/research/video/comment/list/", d,
                         json={"video_id": v["id"], "max_count": 5})
        call("POST", "tiktok", "/tiktok/v2/research/video/comment/list/", d,
             json={"video_id": 1})
        xs = _sample(world, "x")
        call("GET", "x", "/x/2/users", d, params={"ids": ",".join(a.user_id for a in xs) + ",1"})
        for a in xs:
            body = call("GET", "x", f"/x/2/users/{a.user_id}/tweets", d,
                        params={"max_results": 5})
            call("GET", "x", f"/x/2/users/{a.user_id}/tweets", d,
                 params={"max_results": 5, "pagination_token": "5",
                         "start_time": f"{d - timedelta(days=4)}T00:00:00Z"})
            call("GET", "x", f"/x/2/users/{a.user_id}/followers", d, params={"max_results": 6})
            for t in body.get("data", [])[:2]:
                if isinstance(t, dict) and "id" in t:
                    call("GET", "x", "/x/2/tweets/search/recent", d,
                         params={"query": f"conversation_id:{t['id']} is:reply"})
        call("GET", "x", "/x/2/users/1/tweets", d)
        for a in _sample(world, "weibo"):
            call("GET", "weibo", "/weibo/2/users/show.json", d, params={"uid": a.user_id})
            body = call("GET", "weibo", "/weibo/2/statuses/user_timeline.json", d,
                        params={"uid": a.user_id, "count": 4})
            call("GET", "weibo", "/weibo/2/friendships/followers.json", d,
                 params={"uid": a.user_id, "count": 6})
            for s in body.get("statuses", [])[:2]:
                if isinstance(s, dict) and "idstr" in s:
                    call("GET", "weibo", "/weibo/2/comments/show.json", d,
                         params={"id": s["idstr"], "count": 5, "page": 2})
        call("GET", "weibo", "/weibo/2/comments/show.json", d, params={"id": "1"})
    return lines


def snapshot(out: Path) -> None:
    world = World(200, 7)
    lines = world_lines(world)
    lines += route_lines(world)
    broken = frozenset((p, DATES[1].isoformat()) for p in PLATFORMS)
    lines += route_lines(World(200, 7), Faults(bad_record=0.3, truncated=0.05, throttle=0.05,
                                               server_error=0.05, broken_schema_on=broken))
    lines += world_lines(World(60, 11, audience_problem_rates={"engagement_pod": 0.4,
                                                                "generic_comments": 0.3}))
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, sort_keys=True, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    snapshot(Path(sys.argv[1]))
