"""Airflow connections, read once for every stage that needs one: the platform clients
(kol_<platform>) and the alert channels (kol_alert_*). Secrets stay in Airflow connections or
a secrets backend, never in code or files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace

from kolpipe.core import secrets


class ConnectionMissing(Exception):
    """The connection is not defined; the message names it and how to create it."""


class ConnectionInvalid(ValueError):
    """The connection is defined but unusable; the message names it and the fix, never the
    secret."""


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
        return _checked(conn_id, Connection(
            platform, _base_url(airflow_conn), airflow_conn.password or "",
            dict(airflow_conn.extra_dejson), airflow_conn.login or "", airflow_conn.port))
    if raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ConnectionInvalid(
                f"{env_name} is not valid JSON ({type(exc).__name__} at character "
                f"{getattr(exc, 'pos', '?')}); write it as {{\"conn_type\": \"http\", "
                f"\"host\": \"https://...\", \"password\": \"<token>\"}} or as a URI") from None
        return _checked(conn_id, Connection(
            platform, data.get("host", ""), data.get("password") or "",
            data.get("extra") or {}, data.get("login") or "", data.get("port")))
    from airflow.sdk.definitions.connection import Connection as AirflowConnection

    parsed = AirflowConnection.from_uri(raw, conn_id=conn_id)
    return _checked(conn_id, Connection(platform, _base_url(parsed), parsed.password or "",
                                        parsed.extra_dejson, parsed.login or "", parsed.port))


def _base_url(parsed) -> str:
    """An http(s) connection's API base URL as the URI gave it: scheme, host, port and path
    (Airflow splits them into conn_type, host, port and schema). Other connection types (SMTP)
    keep their bare host."""
    host = parsed.host or ""
    if "://" in host or parsed.conn_type not in ("http", "https") or not host:
        return host
    port = f":{parsed.port}" if parsed.port else ""
    path = f"/{parsed.schema}" if parsed.schema else ""
    return f"{parsed.conn_type}://{host}{port}{path}"


def _checked(conn_id: str, conn: Connection) -> Connection:
    """A pasted token often carries a trailing newline, which the HTTP library rejects with an
    error that prints the header, token included: strip it, and refuse whitespace or other
    characters an HTTP header cannot carry inside it. The token is masked from here on."""
    token = conn.token.strip()
    secrets.register(token)
    if any(c.isspace() for c in token):
        raise ConnectionInvalid(f"connection '{conn_id}': its password (the token) has "
                                "whitespace inside it; paste the token again, on one line")
    if not (token.isascii() and token.isprintable()):
        raise ConnectionInvalid(f"connection '{conn_id}': its password (the token) has "
                                "characters no token has (non-ASCII or control characters); "
                                "copy it again from the platform's developer console")
    return replace(conn, token=token) if token != conn.token else conn
