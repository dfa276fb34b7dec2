"""Airflow connections, read once for every stage that needs one: the platform clients
(kol_<platform>) and the alert channels (kol_alert_*). Secrets stay in Airflow connections or
a secrets backend, never in code or files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field


class ConnectionMissing(Exception):
    """The connection is not defined; the message names it and how to create it."""


@dataclass(frozen=True)
class Connection:
    """An Airflow connection's fields as the stages need them (host = API base URL,
    password = token, extra = API version, sandbox clock and limits). `platform` is the
    connection id without `kol_`: a platform, or an alert channel such as alert_slack."""

    platform: str
    base_url: str
    token: str
    extra: dict = field(default_factory=dict)
    login: str = ""
    port: int | None = None

    def __repr__(self) -> str:  # never show the token
        return f"Connection({self.platform!r}, {self.base_url!r}, token=***)"


def read(conn_id: str) -> Connection:
    """Read a connection the way Airflow does, from AIRFLOW_CONN_<CONN_ID> (JSON or URI) or,
    inside Airflow, from its secrets backends and metadata database."""
    platform = conn_id.removeprefix("kol_")
    env_name = f"AIRFLOW_CONN_{conn_id.upper()}"
    raw = os.environ.get(env_name)
    if raw is None:
        try:
            from airflow.sdk import BaseHook

            airflow_conn = BaseHook.get_connection(conn_id)
        except Exception as exc:
            raise ConnectionMissing(
                f"no connection '{conn_id}'. Create it in Airflow, or set "
                f"{env_name}='{{\"conn_type\": \"http\", \"host\": \"https://...\", "
                f"\"password\": \"<token>\"}}'"
            ) from exc
        return Connection(platform, airflow_conn.host or "", airflow_conn.password or "",
                          dict(airflow_conn.extra_dejson), airflow_conn.login or "",
                          airflow_conn.port)
    if raw.lstrip().startswith("{"):
        data = json.loads(raw)
        return Connection(platform, data.get("host", ""), data.get("password", ""),
                          data.get("extra") or {}, data.get("login") or "", data.get("port"))
    from airflow.sdk.definitions.connection import Connection as AirflowConnection

    parsed = AirflowConnection.from_uri(raw, conn_id=conn_id)
    return Connection(platform, parsed.host or "", parsed.password or "", parsed.extra_dejson,
                      parsed.login or "", parsed.port)
