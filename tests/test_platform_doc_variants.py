"""Variants of the platforms' documented examples (test_platform_doc_examples.py serves them):
what real responses do that the examples do not show. Each requested id is accounted for, and
an error that concerns some accounts fails those accounts only."""

from __future__ import annotations

import json

import httpx
import pyarrow.parquet as pq
import pytest
from test_platform_doc_examples import (
    TT_DAY,
    TT_KOLS,
    X_DAY,
    X_KOLS,
    X_USER,
    YT_ANDROID,
    YT_BASE_URL,
    YT_DAY,
    YT_DEVELOPERS,
    YT_KOLS,
    YT_VIDEOS,
    _doc,
    _extract,
    _tiktok_route,
    _x_route,
    _youtube_route,
)

from kolpipe.core import files
from kolpipe.core.paths import Paths


def test_youtube_videos_list_without_the_requested_videos_accounts_for_each_id(monkeypatch,
                                                                               tmp_path):
    """The documented videos.list answer with none of the requested items (deleted or private
    since the playlist listed them): each requested id is quarantined with the reason, and the
    summary says so, instead of 0 posts and a clean run."""
    def route(request: httpx.Request) -> str | httpx.Response:
        if request.url.path == "/youtube/v3/videos":
            return httpx.Response(200, json={**_doc("youtube", "videos.list.json"), "items": []})
        return _youtube_route(request)

    summary, rows, _ = _extract(monkeypatch, tmp_path, "youtube", YT_DAY, YT_KOLS, route,
                                YT_BASE_URL)
    assert rows["posts"] == [] and summary["quarantined"] == len(YT_VIDEOS)
    quarantined = pq.read_table(files.quarantine_file(Paths(tmp_path), "youtube", YT_DAY))
    reasons = {json.loads(r["raw_payload"])["id"]: r["reason"]
               for r in quarantined.to_pylist()}
    assert set(reasons) == YT_VIDEOS
    assert all("videos.list did not return it" in reason for reason in reasons.values())


@pytest.mark.parametrize("failing", ["channels", "playlistItems", "videos"])
def test_youtube_not_found_on_one_call_fails_only_what_it_concerns(monkeypatch, tmp_path,
                                                                   failing):
    """A 404 (playlistNotFound) on a batch or per-channel call is recorded for the accounts or
    videos it concerns; the platform carries on and nothing escapes as a traceback."""
    not_found = httpx.Response(404, json={"error": {"code": 404, "message": "not found",
                                                    "errors": [{"reason": "playlistNotFound"}]}})

    def route(request: httpx.Request) -> str | httpx.Response:
        path = request.url.path
        if path == f"/youtube/v3/{failing}" and (
                failing != "playlistItems" or request.url.params["playlistId"].startswith("UUV")):
            return not_found
        if path == "/youtube/v3/videos" and failing == "playlistItems":
            return "videos.list.json"  # still holds the Android video nobody asked for now
        return _youtube_route(request)

    summary, rows, _ = _extract(monkeypatch, tmp_path, "youtube", YT_DAY, YT_KOLS, route,
                                YT_BASE_URL)
    failed = {e["account_id"]: e["kind"] for e in summary["account_errors"]}
    if failing == "channels":
        assert failed == {YT_DEVELOPERS: "not_found", YT_ANDROID: "not_found"}
    elif failing == "playlistItems":  # the Android uploads playlist (UUV...) is gone
        assert failed == {YT_ANDROID: "not_found"}
        assert {p["account_id"] for p in rows["posts"]} == {YT_DEVELOPERS}
    else:
        assert failed == {} and rows["posts"] == []
        assert summary["quarantined"] == len(YT_VIDEOS)


def test_a_tiktok_video_without_a_username_is_quarantined_not_landed_as_nobodys(monkeypatch,
                                                                                tmp_path):
    def route(request: httpx.Request) -> str | httpx.Response:
        name = _tiktok_route(request)
        if request.url.path == "/v2/research/video/query/" and name.endswith("page2.json"):
            body = _doc("tiktok", name)
            for video in body["data"]["videos"]:
                video.pop("username", None)
            return httpx.Response(200, json=body)
        return name

    summary, rows, _ = _extract(
        monkeypatch, tmp_path, "tiktok", TT_DAY,
        TT_KOLS,
        route, "https://open.tiktokapis.com/")
    assert all(post["account_id"] == "example_username" for post in rows["posts"])
    quarantined = pq.read_table(files.quarantine_file(Paths(tmp_path), "tiktok", TT_DAY))
    reasons = [r["reason"] for r in quarantined.to_pylist()]
    assert reasons and summary["quarantined"] == len(reasons)
    assert all(r.startswith("video username None is none of the queried accounts")
               for r in reasons)


def test_x_a_failed_users_lookup_fails_its_batch_not_the_platform(monkeypatch, tmp_path):
    def route(request: httpx.Request) -> str | httpx.Response:
        if request.url.path == "/2/users":
            return httpx.Response(404, json={"title": "Not Found Error", "detail": "gone",
                                             "type": "https://api.twitter.com/2/problems/"
                                                     "resource-not-found"})
        return _x_route(request)

    summary, rows, _ = _extract(
        monkeypatch, tmp_path, "x", X_DAY,
        X_KOLS,
        route, "https://api.x.com/")
    [error] = summary["account_errors"]
    assert (error["account_id"], error["kind"]) == (X_USER, "not_found")
    assert "the users lookup of its batch of 1 failed" in error["message"]
    assert rows["accounts"] == [] and rows["posts"] == []
