from __future__ import annotations

import pytest

from kolpipe import registry
from kolpipe_tools.sandbox.world import World


def write(tmp_path, text):
    path = tmp_path / "kols.yml"
    path.write_text(text)
    return path


def test_sandbox_registry_round_trips(tmp_path):
    world = World(30)
    kols = registry.load(write(tmp_path, registry.dump(world.kols())))
    assert len(kols) == 30
    assert sum(len(k.accounts) for k in kols) == len(world.accounts)


def test_access_is_public_unless_marked_authorized(tmp_path):
    kols = registry.load(write(tmp_path, (
        "kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {handle: a},"
        " tiktok: {handle: a, access: authorized}}}\n")))
    access = {a.platform: a.access for a in kols[0].accounts}
    assert access == {"x": "public", "tiktok": "authorized"}
    rows = registry.snapshot_rows(kols, World(1).accounts[0].created_on)
    assert sorted(r["access"] for r in rows) == ["authorized", "public"]


@pytest.mark.parametrize("text, expected", [
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {account_id: '1'}}}\n"
     "- {kol_id: a, display_name: B, niche: tech, accounts: {x: {account_id: '2'}}}\n",
     "kols.yml:3: duplicate kol_id a (first at line 2)"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {myspace: {handle: a}}}\n",
     "unknown platform 'myspace'; use one of instagram, youtube, tiktok, x, weibo"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {handle: same}}}\n"
     "- {kol_id: b, display_name: B, niche: tech, accounts: {x: {handle: Same}}}\n",
     "x account @same is listed under b and under a"),
    ("kols:\n- {kol_id: a, niche: tech, accounts: {x: {handle: a}}}\n",
     "kols.yml:2: KOL a is missing display_name"),
    ("kols: {}\n", "expected a top-level 'kols:' list"),
    # YAML keeps only the last of two equal keys: the first account would vanish
    ("kols:\n- kol_id: a\n  display_name: A\n  niche: tech\n  accounts:\n"
     "    x: {account_id: '1'}\n    x: {account_id: '2'}\n",
     "kols.yml: line 7: 'x' appears again (first at line 6), and YAML would keep only the last"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {acount_id: '1'}}}\n",
     "kols.yml:2: KOL a x: unknown field 'acount_id'; did you mean 'account_id'?"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {account_id: 012}}}\n",
     "account_id 10 is a YAML int, not text; quote it"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {account_id: ' 12'}}}\n",
     "account_id ' 12' has spaces around it; remove them"),
    ("kols:\n- {kol_id: a, dispaly_name: A, display_name: A, niche: tech,"
     " accounts: {x: {handle: a}}}\n",
     "unknown field 'dispaly_name'; did you mean 'display_name'?"),
    ("kols: []\n", "the registry lists no KOL, and landing it would replace the day's data"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {x: {handle: a, "
     "access: authorized}}}\n",
     "kols.yml:2: KOL a x: access 'authorized' is not one of public (x has no "
     "creator-authorized API)"),
    ("kols:\n- {kol_id: a, display_name: A, niche: tech, accounts: {tiktok: {handle: a, "
     "access: private}}}\n",
     "kols.yml:2: KOL a tiktok: access 'private' is not one of public, authorized"),
])
def test_registry_errors_name_the_line_and_the_fix(tmp_path, text, expected):
    with pytest.raises(registry.RegistryError) as error:
        registry.load(write(tmp_path, text))
    assert expected in str(error.value)


def test_missing_registry_file_says_how_to_fix(tmp_path):
    with pytest.raises(registry.RegistryError, match="KOLPIPE_REGISTRY"):
        registry.load(tmp_path / "nope.yml")


def test_an_empty_registry_lands_only_on_purpose(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.ALLOW_EMPTY_ENV, "1")
    assert registry.load(write(tmp_path, "kols: []\n")) == []


def test_a_registry_that_lost_most_accounts_since_yesterday_needs_a_confirmation(
        tmp_path, monkeypatch):
    from datetime import date

    from kolpipe import land
    from kolpipe.core.paths import Paths

    monkeypatch.delenv(registry.ALLOW_DROP_ENV, raising=False)
    monkeypatch.delenv(registry.MAX_DROP_ENV, raising=False)
    paths = Paths(tmp_path)
    paths.registry.parent.mkdir(parents=True)
    kols = World(30).kols()
    paths.registry.write_text(registry.dump(kols))
    before = land.land_registry(date(2026, 11, 1), paths)
    paths.registry.write_text(registry.dump(kols[:10]))  # a half-saved file
    with pytest.raises(registry.RegistryError, match=f"against {before} on 2026-11-01, a drop "
                                                     "over 50%"):
        land.land_registry(date(2026, 11, 2), paths)
    monkeypatch.setenv(registry.ALLOW_DROP_ENV, "1")
    assert 0 < land.land_registry(date(2026, 11, 2), paths) < before
