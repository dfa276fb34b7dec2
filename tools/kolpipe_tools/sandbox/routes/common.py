"""What every platform's routes share: the world and its lookups, the response hook that
injects faults, and the API's time formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Callable

from fastapi import Request
from fastapi.responses import JSONResponse

from kolpipe_tools.sandbox.posts import Post
from kolpipe_tools.sandbox.world import Account, World


@dataclass
class Context:
    world: World
    # (platform, lowercase handle) -> the accounts that had the handle
    handles: dict[tuple[str, str], list[Account]]
    # the posts of a platform on a date by id (videos.list, comments): one scan per date
    post_index: Callable[[str, date], dict[str, tuple[Account, Post]]]
    # the JSON response of a body, with the faults the app injects into records
    respond: Callable[[Request, dict], JSONResponse]

    def by_handle(self, platform: str, handle: str, as_of: date) -> Account | None:
        for account in self.handles.get((platform, handle.lower()), []):
            if account.exists_on(as_of) and account.handle_on(as_of).lower() == handle.lower():
                return account
        return None


def handle_index(world: World) -> dict[tuple[str, str], list[Account]]:
    index: dict[tuple[str, str], list[Account]] = {}
    for account in world.accounts:
        for handle in {account.handle, account.old_handle} - {None}:
            index.setdefault((account.platform, handle.lower()), []).append(account)
    return index


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def weibo_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def request_token(request: Request) -> str:
    """The token a request carries: a bearer header, or the access_token (Meta) or key
    (Google) query parameter."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:]
    return request.query_params.get("access_token") or request.query_params.get("key") or ""
