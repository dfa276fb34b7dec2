"""The KOL registry: one human-edited YAML file listing each KOL once, with its account per
platform. Validated on every run; every problem names the line and the fix."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from kolpipe.core.paths import PLATFORMS

REQUIRED = ("kol_id", "display_name", "niche")
# contact: optional details a team keeps with the KOL; never landed nor published.
KOL_FIELDS = (*REQUIRED, "language", "accounts", "contact")
ACCOUNT_FIELDS = ("account_id", "handle", "access")
# access: public (the app's own token reads public data) or authorized (the creator connected
# the account and granted first-party data; docs/access.md). Only where a platform offers it.
ACCESS_MODES = ("public", "authorized")
AUTHORIZED_PLATFORMS = ("instagram", "youtube", "tiktok")
# Landing an empty registry would overwrite a day's partitions with nothing: only on purpose.
ALLOW_EMPTY_ENV = "KOLPIPE_ALLOW_EMPTY_REGISTRY"
# Losing more than this share of the previous day's accounts needs a confirmation.
MAX_DROP_SHARE = 0.5
MAX_DROP_ENV = "KOLPIPE_REGISTRY_MAX_DROP_SHARE"
ALLOW_DROP_ENV = "KOLPIPE_ALLOW_REGISTRY_DROP"


@dataclass(frozen=True)
class RegistryAccount:
    kol_id: str
    platform: str
    account_id: str
    handle: str
    access: str = "public"


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Kol:
    kol_id: str
    display_name: str
    niche: str
    language: str | None
    accounts: tuple[RegistryAccount, ...]


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number so errors can point at it, and the keys a mapping
    repeats (YAML keeps only the last one, silently)."""

    repeated: list[str]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            loader.repeated.append(f"line {line}: '{key}' appears again (first at line "
                                   f"{seen[key]}), and YAML would keep only the last; merge "
                                   "the two")
        seen.setdefault(key, line)
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path) -> list[Kol]:
    if not path.exists():
        raise RegistryError(f"{path}: registry file not found. Create it (see README, "
                            "'The registry') or set KOLPIPE_REGISTRY to its path")
    loader = _LineLoader(path.read_text(encoding="utf-8"))
    loader.repeated = []
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    entries = document.get("kols") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a top-level 'kols:' list of KOL entries")
    if not entries and os.environ.get(ALLOW_EMPTY_ENV) != "1":
        raise RegistryError(f"{path}: the registry lists no KOL, and landing it would replace "
                            "the day's data with nothing. Add KOLs, or set "
                            f"{ALLOW_EMPTY_ENV}=1 to land an empty registry on purpose")
    problems: list[str] = [f"{path}: {repeat}" for repeat in loader.repeated]
    kols: list[Kol] = []
    seen_ids: dict[str, int] = {}
    seen_accounts: dict[tuple[str, str], tuple[str, int]] = {}
    for entry in entries:
        line = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
        where = f"{path}:{line}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: each KOL must be a mapping with kol_id, display_name, "
                            "niche and accounts")
            continue
        problems += _field_problems(where, entry, KOL_FIELDS, "KOL")
        missing = [name for name in REQUIRED if not str(entry.get(name) or "").strip()]
        if missing:
            problems.append(f"{where}: KOL {entry.get('kol_id', '?')} is missing "
                            f"{', '.join(missing)}; add the field(s)")
            continue
        kol_id = str(entry["kol_id"])
        if kol_id in seen_ids:
            problems.append(f"{where}: duplicate kol_id {kol_id} (first at line "
                            f"{seen_ids[kol_id]}); give each KOL one entry with a unique id")
            continue
        seen_ids[kol_id] = line
        accounts_node = entry.get("accounts") or {}
        if not isinstance(accounts_node, dict) or not accounts_node:
            problems.append(f"{where}: KOL {kol_id} has no accounts; add 'accounts:' with at "
                            f"least one of {', '.join(PLATFORMS)}")
            continue
        accounts = []
        for platform, account in accounts_node.items():
            if platform == "__line__":
                continue
            account_line = account.get("__line__", line) if isinstance(account, dict) else line
            if platform not in PLATFORMS:
                problems.append(f"{path}:{account_line}: KOL {kol_id}: unknown platform "
                                f"'{platform}'; use one of {', '.join(PLATFORMS)}")
                continue
            account_problems = (_field_problems(f"{path}:{account_line}", account,
                                                ACCOUNT_FIELDS, f"KOL {kol_id} {platform}")
                                if isinstance(account, dict) else [])
            if account_problems:
                problems += account_problems
                continue
            if not isinstance(account, dict) or not (account.get("account_id")
                                                      or account.get("handle")):
                problems.append(f"{path}:{account_line}: KOL {kol_id} {platform}: give "
                                "account_id and/or handle")
                continue
            access = account.get("access") or "public"
            if access not in ACCESS_MODES or (access == "authorized"
                                              and platform not in AUTHORIZED_PLATFORMS):
                allowed = ACCESS_MODES if platform in AUTHORIZED_PLATFORMS else ("public",)
                problems.append(f"{path}:{account_line}: KOL {kol_id} {platform}: access "
                                f"{access!r} is not one of {', '.join(allowed)}"
                                + ("" if platform in AUTHORIZED_PLATFORMS else
                                   f" ({platform} has no creator-authorized API)"))
                continue
            account_id = str(account.get("account_id") or account["handle"])
            handle = str(account.get("handle") or account_id).lstrip("@")
            for key in ((platform, "id:" + account_id), (platform, "@" + handle.lower())):
                if key in seen_accounts and seen_accounts[key][0] != kol_id:
                    other, other_line = seen_accounts[key]
                    problems.append(f"{path}:{account_line}: {platform} account {key[1]} is "
                                    f"listed under {kol_id} and under {other} (line "
                                    f"{other_line}); one account belongs to one KOL")
                seen_accounts[key] = (kol_id, account_line)
            accounts.append(RegistryAccount(kol_id, platform, account_id, handle, access))
        kols.append(Kol(kol_id, str(entry["display_name"]), str(entry["niche"]),
                        entry.get("language"), tuple(accounts)))
    if problems:
        raise RegistryError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return kols


def _field_problems(where: str, mapping: dict, known: tuple[str, ...], what: str) -> list[str]:
    """Unknown fields (with the closest known one), and ids that YAML would not read as the
    text typed: numbers (012 is octal, 1e5 a float: quote them) or padded with spaces."""
    problems = []
    for name, value in mapping.items():
        if name == "__line__":
            continue
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use {', '.join(known)}"
            problems.append(f"{where}: {what}: unknown field '{name}'; {hint}")
        elif name in ("kol_id", *ACCOUNT_FIELDS) and value is not None:
            if not isinstance(value, str):
                problems.append(f"{where}: {what}: {name} {value!r} is a YAML "
                                f"{type(value).__name__}, not text; quote it ({name}: "
                                "\"...\") so every character is kept as typed")
            elif value != value.strip():
                problems.append(f"{where}: {what}: {name} {value!r} has spaces around it; "
                                "remove them")
    return problems


def accounts_for(kols: list[Kol], platform: str) -> list[RegistryAccount]:
    return [a for kol in kols for a in kol.accounts if a.platform == platform]


def snapshot_rows(kols: list[Kol], logical_date: date) -> list[dict]:
    """The registry as landed for a date, so the warehouse knows which KOL owns which account."""
    return [
        {"kol_id": kol.kol_id, "display_name": kol.display_name, "niche": kol.niche,
         "language": kol.language, "platform": a.platform, "account_id": a.account_id,
         "handle": a.handle, "access": a.access, "logical_date": logical_date}
        for kol in kols for a in kol.accounts
    ]


def dump(entries: list[dict]) -> str:
    """Write a registry in the documented shape (used to seed the sandbox's registry)."""
    return yaml.safe_dump({"kols": entries}, allow_unicode=True, sort_keys=False, width=100)
