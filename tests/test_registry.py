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
])
def test_registry_errors_name_the_line_and_the_fix(tmp_path, text, expected):
    with pytest.raises(registry.RegistryError) as error:
        registry.load(write(tmp_path, text))
    assert expected in str(error.value)


def test_missing_registry_file_says_how_to_fix(tmp_path):
    with pytest.raises(registry.RegistryError, match="KOLPIPE_REGISTRY"):
        registry.load(tmp_path / "nope.yml")
