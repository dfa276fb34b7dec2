"""Every client against the platforms' documented example responses (tests/fixtures/
platform_docs, provenance in its README): the fixtures are served through httpx.MockTransport
at the paths each client calls, the real extract-and-land path runs for registry accounts
matching the examples' ids and handles, and the landed rows must carry the documented values,
with timestamps in UTC, placeholders as null, and paging stopped at the documented end marker.

Over 300 lines: one test per platform, each checking its documented values field by field over
the shared serving and landing helpers at the top; the platforms read best side by side.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Callable

import httpx
import pyarrow.parquet as pq
import pytest
import yaml

from kolpipe import land
from kolpipe.core import files
from kolpipe.core.fields import entities
from kolpipe.core.paths import Paths
from kolpipe.extract.http import Connection

FIXTURES = Path(__file__).parent / "fixtures" / "platform_docs"
TOKEN = "doc-example-token"


def _doc(platform: str, name: str) -> dict:
    return json.loads((FIXTURES / platform / name).read_text(encoding="utf-8"))


class DocServer:
    """Answers each request with the fixture its route names (or the error response it
    returns) and records the request; a call the route does not expect fails the test instead
    of being answered."""

    def __init__(self, platform: str, route: Callable[[httpx.Request], str | httpx.Response]):
        self.platform = platform
        self.route = route
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.route(request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=_doc(self.platform, answer))

    def calls_to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


def _unexpected(request: httpx.Request) -> AssertionError:
    body = request.content.decode() if request.content else ""
    return AssertionError(f"unexpected call {request.method} {request.url} {body}")


def _extract(monkeypatch, tmp_path: Path, platform: str, day: date, kols: list[dict],
             route: Callable[[httpx.Request], str | httpx.Response], base_url: str,
             extra: dict | None = None) -> tuple[dict, dict[str, list[dict]], DocServer]:
    """Runs land.land_platform for the registry `kols`, with the client's HTTP transport
    swapped for the documented responses; returns the summary, the landed rows per entity and
    the server with the requests it saw."""
    paths = Paths(tmp_path)
    monkeypatch.delenv("KOLPIPE_REGISTRY", raising=False)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(yaml.safe_dump({"kols": kols}, allow_unicode=True))
    server = DocServer(platform, route)
    module = land.client_module(platform)
    monkeypatch.setattr(module, "make_client", partial(
        module.make_client, transport=httpx.MockTransport(server)))
    conn = Connection(platform, base_url, TOKEN, extra or {})
    summary = land.land_platform(platform, day, paths, conn)
    rows = {entity: pq.read_table(files.raw_file(paths, platform, entity, day)).to_pylist()
            for entity in entities(platform)}
    return summary, rows, server


def _by_id(rows: list[dict], key: str = "id") -> dict[str, dict]:
    return {row[key]: row for row in rows}


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _assert_clean(summary: dict) -> None:
    assert summary["quarantined"] == 0
    assert summary["account_errors"] == []
    assert summary["sample_gaps"] == []
    assert summary["retries"] == 0


# --- Instagram Graph API: Business Discovery on our IG User node -----------------------------

IG_DAY = date(2026, 11, 20)
IG_OUR_USER = "17841405309211844"


def _instagram_route(request: httpx.Request) -> str:
    if request.method != "GET" or request.url.path != f"/v23.0/{IG_OUR_USER}":
        raise _unexpected(request)
    fields = request.url.params["fields"]
    assert fields.startswith("business_discovery.username(bluebottle){"), fields
    if ".after(QVFIUnJzNjZAlOVhOUzFsN1FB)" in fields:
        return "business_discovery.page2.json"
    if ".after(" in fields:
        raise _unexpected(request)
    return "business_discovery.page1.json"


def test_instagram_business_discovery_example(monkeypatch, tmp_path):
    summary, rows, server = _extract(
        monkeypatch, tmp_path, "instagram", IG_DAY,
        [{"kol_id": "doc_bluebottle", "display_name": "Blue Bottle Coffee", "niche": "food",
          "accounts": {"instagram": {"account_id": "17841401441775531",
                                     "handle": "bluebottle"}}}],
        _instagram_route, "https://graph.facebook.com/",
        {"ig_user_id": IG_OUR_USER, "api_version": "v23.0"})

    _assert_clean(summary)
    [account] = rows["accounts"]
    assert account["account_id"] == "17841401441775531"
    assert (account["username"], account["followers_count"], account["media_count"]) == (
        "bluebottle", 267793, 1205)
    # follows_count was asked for but the example does not return it: null, never 0.
    assert account["follows_count"] is None

    posts = _by_id(rows["posts"])
    assert list(posts) == ["17858843269216389", "17894036119131554", "17894449363137701",
                           "17844278716241265"]
    assert posts["17858843269216389"]["timestamp"] == _utc(2026, 11, 20, 16, 5, 11)
    assert posts["17858843269216389"]["media_product_type"] == "REELS"
    metrics = _by_id(rows["post_metrics"])
    assert [(m["comments_count"], m["like_count"]) for m in metrics.values()] == [
        (50, 5837), (11, 2997), (28, 3643), (43, 4943)]
    # Only the first media of the documented example carries view_count: the others stay null.
    assert [m["view_count"] for m in metrics.values()] == [7757, None, None, None]

    # Two pages: the second has cursors but no `next`, the documented end of the edge.
    assert len(server.requests) == summary["api_calls"] == 2
    assert all(r.url.params["access_token"] == TOKEN for r in server.requests)
    assert all(row["raw_payload"] for entity in rows.values() for row in entity)


# --- YouTube Data API v3: channels.list, playlistItems.list, videos.list, commentThreads.list --

YT_DAY = date(2026, 11, 20)
YT_DEVELOPERS = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
YT_ANDROID = "UCVHFbqXqoYvEWM1Ddxl0QDg"
YT_VIDEOS = {"Ks-_Mh1QhMc", "kO8x8eoU3L4", "Xq9vQWzQkxw", "aNdr01dV1d0"}
YT_KOLS = [
    {"kol_id": "doc_googledevs", "display_name": "Google for Developers", "niche": "tech",
     "accounts": {"youtube": {"account_id": YT_DEVELOPERS, "handle": "googledevelopers"}}},
    {"kol_id": "doc_android", "display_name": "Android Developers", "niche": "tech",
     "accounts": {"youtube": {"account_id": YT_ANDROID, "handle": "androiddevelopers"}}}]
YT_BASE_URL = "https://www.googleapis.com/youtube/v3/"


def _youtube_route(request: httpx.Request) -> str:
    params, path = request.url.params, request.url.path
    assert params["key"] == TOKEN
    if path == "/youtube/v3/channels":
        assert params["part"] == "snippet,statistics,contentDetails"
        assert params["id"].split(",") == [YT_DEVELOPERS, YT_ANDROID]
        return "channels.list.json"
    if path == "/youtube/v3/playlistItems":
        assert params["maxResults"] == "50"
        page = {None: "page1", "EAAaBlBUOkNBSQ": "page2"}.get(params.get("pageToken"))
        name = f"playlistItems.list.{params['playlistId']}.{page}.json"
        if page is None or not (FIXTURES / "youtube" / name).exists():
            raise _unexpected(request)
        return name
    if path == "/youtube/v3/videos":
        assert set(params["id"].split(",")) == YT_VIDEOS
        return "videos.list.json"
    if path == "/youtube/v3/commentThreads" and params["videoId"] == "Ks-_Mh1QhMc":
        assert (params["order"], params["maxResults"]) == ("time", "50")
        return "commentThreads.list.Ks-_Mh1QhMc.json"
    raise _unexpected(request)


def test_youtube_channel_upload_and_comment_examples(monkeypatch, tmp_path):
    summary, rows, server = _extract(monkeypatch, tmp_path, "youtube", YT_DAY, YT_KOLS,
                                     _youtube_route, YT_BASE_URL)

    _assert_clean(summary)
    accounts = _by_id(rows["accounts"], "account_id")
    developers, android = accounts[YT_DEVELOPERS], accounts[YT_ANDROID]
    assert (developers["subscriber_count"], developers["hidden_subscriber_count"]) == (
        2390000, False)
    # hiddenSubscriberCount=true and no subscriberCount: null, not 0.
    assert (android["subscriber_count"], android["hidden_subscriber_count"]) == (None, True)
    assert (android["view_count"], android["video_count"]) == (191203388, 3387)
    assert developers["published_at"] == _utc(2007, 8, 23, 0, 34, 43)
    assert android["uploads_playlist_id"] == "UUVHFbqXqoYvEWM1Ddxl0QDg"

    posts = _by_id(rows["posts"])
    # The deleted upload without videoPublishedAt and the one older than the window are skipped.
    assert set(posts) == YT_VIDEOS
    assert {p["account_id"] for p in posts.values() if p["id"] != "aNdr01dV1d0"} == {YT_DEVELOPERS}
    assert posts["aNdr01dV1d0"]["account_id"] == YT_ANDROID
    assert [p["id"] for p in posts.values() if p["has_paid_product_placement"]] == ["Ks-_Mh1QhMc"]
    metrics = _by_id(rows["post_metrics"])
    assert (metrics["Ks-_Mh1QhMc"]["view_count"], metrics["Ks-_Mh1QhMc"]["like_count"],
            metrics["Ks-_Mh1QhMc"]["comment_count"]) == (48213, 1911, 87)
    assert metrics["kO8x8eoU3L4"]["like_count"] is None      # likeCount not returned
    assert metrics["Xq9vQWzQkxw"]["comment_count"] is None   # comments disabled
    assert metrics["aNdr01dV1d0"]["comment_count"] == 0      # zero stays zero

    comments = _by_id(rows["comment_samples"])
    assert set(comments) == {"UgzDE2tasfmrYLyNkGt4AaABAg", "Ugw0aXn8qKgR2u9yL7p4AaABAg"}
    first = comments["UgzDE2tasfmrYLyNkGt4AaABAg"]
    assert (first["video_id"], first["author_channel_id"], first["like_count"],
            first["total_reply_count"]) == ("Ks-_Mh1QhMc", "UCa1b2c3d4e5f6g7h8i9j0kL", 12, 1)
    assert first["published_at"] == _utc(2026, 11, 20, 18, 42, 10)

    # One channels call for both ids, the Developers uploads until the page without
    # nextPageToken, the Android uploads stopped at the first video older than the window (no
    # second page), one videos call for every id, one comment page for the only young video
    # with comments.
    assert [len(server.calls_to(f"/youtube/v3/{m}")) for m in
            ("channels", "playlistItems", "videos", "commentThreads")] == [1, 3, 1, 1]
    assert summary["api_calls"] == summary["quota_units"] == 6


def test_youtube_comments_turned_off_is_a_sample_gap_not_an_account_failure(monkeypatch,
                                                                             tmp_path):
    """commentThreads.list answers 403 commentsDisabled for a video with comments turned off:
    the channel and its videos still land, and the missing sample is recorded with why."""
    def route(request: httpx.Request) -> str | httpx.Response:
        if request.url.path == "/youtube/v3/commentThreads":
            return httpx.Response(403, json={"error": {
                "code": 403, "message": "The video has disabled comments.",
                "errors": [{"domain": "youtube.commentThread", "reason": "commentsDisabled"}]}})
        return _youtube_route(request)

    summary, rows, _ = _extract(monkeypatch, tmp_path, "youtube", YT_DAY, YT_KOLS, route,
                                YT_BASE_URL)

    assert summary["account_errors"] == []
    assert summary["sample_gaps"] == [{
        "account_id": YT_DEVELOPERS, "entity": "comment_samples",
        "message": "youtube video Ks-_Mh1QhMc: comments not readable (commentsDisabled)"}]
    assert rows["comment_samples"] == []
    assert set(_by_id(rows["posts"])) == YT_VIDEOS
    assert summary["rows"]["post_metrics"] == len(YT_VIDEOS)

# --- TikTok Research API: user info, video query, followers, video comments ------------------

TT_DAY = date(2022, 12, 19)
TT_KOLS = [{"kol_id": "doc_joe", "display_name": "joe 1234567", "niche": "food",
            "accounts": {"tiktok": {"account_id": "example_username",
                                    "handle": "example_username"}}}]


def _tiktok_route(request: httpx.Request) -> str:
    assert request.method == "POST"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(request.content)
    path = request.url.path
    if path == "/v2/research/user/info/":
        assert body == {"username": "example_username"}
        assert "follower_count" in request.url.params["fields"]
        return "user_info.json"
    if path == "/v2/research/video/query/":
        assert body["query"] == {"and": [{"operation": "IN", "field_name": "username",
                                          "field_values": ["example_username"]}]}
        assert (body["start_date"], body["end_date"], body["max_count"]) == (
            "20221206", "20221219", 100)
        if "cursor" not in body:
            return "video_query.page1.json"
        assert (body["cursor"], body["search_id"]) == (100, "7160776277492814854")
        return "video_query.page2.json"
    if path == "/v2/research/user/followers/":
        assert body == {"username": "example_username", "max_count": 100}
        return "user_followers.json"
    if path == "/v2/research/video/comment/list/" and body["video_id"] == 1234563451201523412:
        return "video_comments.json"
    raise _unexpected(request)


def test_tiktok_research_api_examples(monkeypatch, tmp_path):
    summary, rows, server = _extract(
        monkeypatch, tmp_path, "tiktok", TT_DAY,
        TT_KOLS,
        _tiktok_route, "https://open.tiktokapis.com/")

    _assert_clean(summary)
    [account] = rows["accounts"]
    assert (account["username"], account["display_name"], account["follower_count"],
            account["following_count"], account["likes_count"], account["video_count"],
            account["is_verified"]) == ("example_username", "joe 1234567", 111, 103, 4146, 64,
                                        False)

    posts = _by_id(rows["posts"])
    # 19-digit ids survive as exact strings, never through a float.
    assert list(posts) == ["1234563451201523412", "7178912345678901234", "7176543210987654321"]
    assert posts["1234563451201523412"]["create_time"] == _utc(2022, 12, 19, 20, 0, 0)
    assert posts["1234563451201523412"]["hashtag_names"] == "coffee,morning"
    assert posts["7176543210987654321"]["hashtag_names"] == ""
    metrics = _by_id(rows["post_metrics"])
    assert (metrics["1234563451201523412"]["view_count"],
            metrics["1234563451201523412"]["share_count"]) == (20311, 12)

    assert [(f["username"], f["display_name"]) for f in rows["follower_samples"]] == [
        ("test_username", "test user"), ("test user 2", "test_username2")]
    [comment] = rows["comment_samples"]
    assert (comment["id"], comment["video_id"], comment["parent_comment_id"],
            comment["like_count"], comment["reply_count"], comment["text"]) == (
        "12345616934634134", "1234563451201523412", "1234561201524010", 50, 10,
        "AWEEEEEE 🥰🥰🥰")
    assert comment["create_time"] == _utc(2022, 12, 19, 23, 13, 18)

    # Video paging ends where has_more is false; the follower sample is one page even though
    # the example says has_more; only the young video with comments is sampled.
    assert [len(server.calls_to(f"/v2/research/{p}/")) for p in
            ("user/info", "video/query", "user/followers", "video/comment/list")] == [1, 2, 1, 1]

# --- X API v2: users lookup, user posts, followers, recent search for replies ----------------

X_DAY = date(2019, 12, 31)
X_USER = "2244994945"
X_POST = "1212092628029698048"
X_KOLS = [{"kol_id": "doc_xdevelopers", "display_name": "X Developers", "niche": "tech",
           "accounts": {"x": {"account_id": X_USER, "handle": "xdevelopers"}}}]


def _x_route(request: httpx.Request) -> str:
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    params, path = request.url.params, request.url.path
    if path == "/2/users":
        assert params["ids"] == X_USER and "public_metrics" in params["user.fields"]
        return "users.json"
    if path == f"/2/users/{X_USER}/tweets":
        assert (params["start_time"], params["end_time"]) == (
            "2019-12-18T00:00:00Z", "2020-01-01T00:00:00Z")
        assert "public_metrics" in params["tweet.fields"]
        token = params.get("pagination_token")
        if token is None:
            return "user_tweets.page1.json"
        if token == "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i":
            return "user_tweets.page2.json"
    if path == f"/2/users/{X_USER}/followers":
        assert params["max_results"] == "100"
        return "followers.json"
    replies_query = f"conversation_id:{X_POST} is:reply"
    if path == "/2/tweets/search/recent" and params["query"] == replies_query:
        assert params["expansions"] == "author_id"
        return "search_recent.json"
    raise _unexpected(request)


def test_x_api_v2_examples(monkeypatch, tmp_path):
    summary, rows, server = _extract(
        monkeypatch, tmp_path, "x", X_DAY,
        X_KOLS,
        _x_route, "https://api.x.com/")

    _assert_clean(summary)
    [account] = rows["accounts"]
    assert (account["username"], account["followers_count"], account["following_count"],
            account["tweet_count"], account["listed_count"], account["protected"]) == (
        "xdevelopers", 570842, 2048, 14052, 1672, False)
    assert account["created_at"] == _utc(2013, 12, 14, 4, 35, 55)

    posts = _by_id(rows["posts"])
    assert list(posts) == [X_POST, "1212092627178287104"]
    assert posts[X_POST]["created_at"] == _utc(2019, 12, 31, 19, 26, 16)
    assert posts[X_POST]["lang"] == "en"
    post = _by_id(rows["post_metrics"])[X_POST]
    assert (post["retweet_count"], post["reply_count"], post["like_count"],
            post["quote_count"]) == (8, 2, 40, 1)
    # The documented Post predates impression and bookmark counts: null, not 0.
    assert (post["impression_count"], post["bookmark_count"]) == (None, None)

    [follower] = rows["follower_samples"]
    assert (follower["id"], follower["username"], follower["followers_count"],
            follower["following_count"], follower["tweet_count"]) == (
        "1234567890", "dev_user", 500, 200, 1500)
    assert follower["created_at"] is None  # not requested in the example

    replies = _by_id(rows["comment_samples"])
    assert {r["conversation_id"] for r in replies.values()} == {X_POST}
    assert replies["1212095117412360192"]["author_username"] == "dev_user"
    # An author missing from includes.users stays unnamed instead of failing the reply.
    assert replies["1212099999999999999"]["author_username"] is None
    assert replies["1212095117412360192"]["created_at"] == _utc(2019, 12, 31, 19, 36, 9)

    # Posts page until meta has no next_token; one follower page; replies only for the post
    # with a reply_count.
    assert [len(server.calls_to(p)) for p in
            ("/2/users", f"/2/users/{X_USER}/tweets", f"/2/users/{X_USER}/followers",
             "/2/tweets/search/recent")] == [1, 2, 1, 1]

# --- Weibo Open API v2: users/show, statuses/user_timeline, friendships/followers, comments/show

WB_DAY = date(2011, 5, 31)
WB_UID = "1404376560"


def _weibo_route(request: httpx.Request) -> str:
    params, path = request.url.params, request.url.path
    assert params["access_token"] == TOKEN
    if path == "/2/users/show.json" and params["uid"] == WB_UID:
        return "users_show.json"
    if path == "/2/statuses/user_timeline.json" and params["page"] == "1":
        assert (params["uid"], params["count"]) == (WB_UID, "100")
        return "statuses_user_timeline.json"
    if path == "/2/friendships/followers.json":
        assert (params["uid"], params["cursor"]) == (WB_UID, "0")
        return "friendships_followers.json"
    if path == "/2/comments/show.json" and params["id"] == "11488058246":
        return "comments_show.json"
    raise _unexpected(request)


def test_weibo_open_api_examples(monkeypatch, tmp_path):
    summary, rows, server = _extract(
        monkeypatch, tmp_path, "weibo", WB_DAY,
        [{"kol_id": "doc_zaku", "display_name": "zaku", "niche": "education",
          "accounts": {"weibo": {"account_id": WB_UID, "handle": "zaku"}}}],
        _weibo_route, "https://api.weibo.com/", {"access": "commercial"})

    _assert_clean(summary)
    [account] = rows["accounts"]
    assert (account["screen_name"], account["followers_count"], account["friends_count"],
            account["statuses_count"], account["verified"]) == ("zaku", 1204, 447, 2908, False)
    # 'Fri Aug 28 00:00:00 +0800 2009' is the evening before in UTC.
    assert account["created_at"] == _utc(2009, 8, 27, 16, 0, 0)

    [post] = rows["posts"]
    assert (post["id"], post["text"]) == ("11488058246", "求关注。")
    assert post["created_at"] == _utc(2011, 5, 31, 9, 46, 55)
    [metrics] = rows["post_metrics"]
    assert (metrics["reposts_count"], metrics["comments_count"]) == (8, 9)
    # The documented status has no attitudes_count: null, not 0.
    assert metrics["attitudes_count"] is None

    [follower] = rows["follower_samples"]
    assert (follower["id"], follower["screen_name"], follower["followers_count"]) == (
        WB_UID, "zaku", 1204)
    [comment] = rows["comment_samples"]
    assert (comment["id"], comment["status_id"], comment["user_id"], comment["text"]) == (
        "12438492184", "11488058246", WB_UID, "love your work.......")
    assert comment["created_at"] == _utc(2011, 5, 31, 16, 50, 25)

    # One status, fewer than `count`: the timeline stops after page 1.
    assert [len(server.calls_to(f"/2/{p}.json")) for p in
            ("users/show", "statuses/user_timeline", "friendships/followers",
             "comments/show")] == [1, 1, 1, 1]


@pytest.mark.parametrize("platform", ["instagram", "youtube", "tiktok", "x", "weibo"])
def test_every_platform_has_documented_fixtures(platform):
    """The README lists each fixture with its source; a fixture without a row there is an
    example nobody can trace back to the docs."""
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in (FIXTURES / platform).glob("*.json"))
    assert files
    for name in files:
        assert f"{platform}/{name}" in readme, f"{platform}/{name} missing from README"
