"""The KOL registry: one human-edited YAML file listing each KOL once, with its account per
platform. Validated on every run; every problem names the line and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from kolpipe.core.paths import PLATFORMS

REQUIRED = ("kol_id", "display_name", "niche")


@dataclass(frozen=True)
class RegistryAccount:
    kol_id: str
    platform: str
    account_id: str
    handle: str


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
    """Keeps each mapping's line number so errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path) -> list[Kol]:
    if not path.exists():
        raise RegistryError(f"{path}: registry file not found. Create it (see README, "
                            "'The registry') or set KOLPIPE_REGISTRY to its path")
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    entries = document.get("kols") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: expected a top-level 'kols:' list of KOL entries")
    problems: list[str] = []
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
            if not isinstance(account, dict) or not (account.get("account_id")
                                                      or account.get("handle")):
                problems.append(f"{path}:{account_line}: KOL {kol_id} {platform}: give "
                                "account_id and/or handle")
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
            accounts.append(RegistryAccount(kol_id, platform, account_id, handle))
        kols.append(Kol(kol_id, str(entry["display_name"]), str(entry["niche"]),
                        entry.get("language"), tuple(accounts)))
    if problems:
        raise RegistryError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return kols


def accounts_for(kols: list[Kol], platform: str) -> list[RegistryAccount]:
    return [a for kol in kols for a in kol.accounts if a.platform == platform]


def snapshot_rows(kols: list[Kol], logical_date: date) -> list[dict]:
    """The registry as landed for a date, so the warehouse knows which KOL owns which account."""
    return [
        {"kol_id": kol.kol_id, "display_name": kol.display_name, "niche": kol.niche,
         "language": kol.language, "platform": a.platform, "account_id": a.account_id,
         "handle": a.handle, "logical_date": logical_date}
        for kol in kols for a in kol.accounts
    ]


def dump(entries: list[dict]) -> str:
    """Write a registry in the documented shape (used to seed the sandbox's registry)."""
    return yaml.safe_dump({"kols": entries}, allow_unicode=True, sort_keys=False, width=100)
