"""Secrets never reach an output. Every token a stage reads is registered here when its
connection is read (core.connections); from then on every log record of the process, the
traceback it carries, and the CLIs' error lines pass through `redact`. Inside Airflow the
token is also handed to Airflow's own masker, which covers the task logs it writes.

Redacting at the logging layer, rather than at each place that might print a token, is what
keeps a future exception from printing one (an HTTP library quoting the header it refused)."""

from __future__ import annotations

import logging
import sys
import traceback
from contextlib import suppress
from urllib.parse import quote

MASK = "***"
# Shorter values would mask ordinary words; no platform or webhook token is this short.
MIN_LENGTH = 6
_secrets: set[str] = set()
_longest_first: tuple[str, ...] = ()  # _secrets in the order redact replaces them
_installed = False


def register(secret: str, airflow: bool = True) -> None:
    """Mask `secret` (and its URL-encoded form, as it appears in a query string) in every
    later log record, traceback and error line of this process. `airflow=False` leaves
    Airflow's own masker out: it recompiles one pattern of every secret on each new one and
    runs it over every log line, so hundreds of creators' tokens (a new pair each day per
    creator) made each one slower than the last; this module's masking of every record
    covers them."""
    global _longest_first
    secret = secret.strip()
    if len(secret) < MIN_LENGTH or secret in _secrets:
        return
    _secrets.update({secret, quote(secret, safe=""), quote(secret)})
    _longest_first = tuple(sorted(_secrets, key=len, reverse=True))
    _install()
    # Inside Airflow its logging is loaded and its masker covers the task logs; elsewhere,
    # importing it would reconfigure the process's logging, so it is left alone.
    airflow_log = sys.modules.get("airflow.sdk.log")
    if airflow and airflow_log is not None:
        with suppress(Exception):
            airflow_log.mask_secret(secret)


def redact(text: str) -> str:
    for secret in _longest_first:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def format_exception(exc: BaseException) -> str:
    """The traceback of `exc`, as Python would print it, with the secrets masked."""
    return redact("".join(traceback.format_exception(exc)))


def _install() -> None:
    """Once per process: a log record factory that masks the message and the traceback as
    the record is made (so every handler, Airflow's included, gets the masked text), and an
    excepthook that masks an uncaught traceback."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if not _secrets:
            return record
        # only a record that shows a secret is changed: formatters that read `args` (uvicorn's
        # access log) keep working on every other one
        with suppress(Exception):  # a record whose message cannot be formatted stays as is
            message = record.getMessage()
            if redact(message) != message:
                record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(record.exc_info[1])).rstrip("\n")
            if redact(text) != text:
                record.exc_text = redact(text)
        return record

    logging.setLogRecordFactory(masked_record)
    previous_hook = sys.excepthook

    def masked_hook(kind, value, tb) -> None:
        if value is None:
            previous_hook(kind, value, tb)
            return
        sys.stderr.write(format_exception(value))

    sys.excepthook = masked_hook
