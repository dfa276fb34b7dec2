"""The real labelled data the fake-follower model learns from, as a feature table.

Source: the MIB fake-follower data of Cresci et al. (Twitter, 2013-2016):
- "Fame for sale: Efficient detection of fake Twitter followers", Decision Support Systems 80
  (2015) 56-71, doi:10.1016/j.dss.2015.09.003: humans E13 (#elezioni2013, checked by hand) and
  TFP (The Fake Project), fakes bought from FSF, INT and TWT;
- "The paradigm-shift of social spambots", WWW'17 Companion, doi:10.1145/3041021.3055135:
  3,474 genuine accounts (a random sample of humans, checked by hand) and the same fake
  followers.
Distributed for research by the MIB project (mib.projects.iit.cnr.it/dataset.html) and the
Botometer Bot Repository; cite both papers. The committed table holds only numbers derived
from the profiles (data/fake_followers/README.md), no names, bios or ids.

Rebuild it from the raw users.csv files:
    python -m kolpipe_tools.train.sources RAW_DIR
where RAW_DIR holds the files named in RAW_FILES (cresci-2015.csv and cresci-2017.csv from the
Bot Repository, unpacked and renamed as listed).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

from kolpipe.core.paths import PROJECT_ROOT
from kolpipe.score.features import FEATURES, features, parse_profile

TABLE = PROJECT_ROOT / "data" / "fake_followers" / "labelled_features.csv"
LABEL, SOURCE = "is_fake", "source"
RAW_FILES = {
    # name here: (MIB file, what it holds)
    "E13_users.csv": ("cresci-2015 E13.csv/users.csv", "1,481 genuine"),
    "INT_users.csv": ("cresci-2015 INT.csv/users.csv", "1,337 fake (intertwitter)"),
    "BAS_users.csv": ("cresci-2015 balanced set (dataset column E13/TFP/FSF/INT/TWT)",
                      "the 469 TFP humans"),
    "genuine_accounts_users.csv": ("cresci-2017 genuine_accounts.csv/users.csv", "3,474 genuine"),
    "fake_followers_users.csv": ("cresci-2017 fake_followers.csv/users.csv",
                                 "3,351 fake: FSF + INT + TWT"),
    "user_fake_authentic_4class.csv": ("Purba et al. 2020, Kaggle krpurba/fakeauthentic-user-"
                                       "instagram", "Instagram: bought fakes (a, i), real (r)"),
    "ig_PD.csv": ("Caivano et al. 2024, github Macerul/FakeAccountDatasets ig_PD.csv",
                  "Instagram: 993 fake, 944 real"),
    "tiktok_accounts.csv": ("github raffaele-aurucci/Fake-TikTok-Account-Detection "
                            "datasets/tiktok_accounts.csv (TikAPI, 2024)",
                            "TikTok: 5,029 fake, 5,014 real; labelling not described"),
    "labeled_data.csv": ("github MathieuSeraphim/InstagramInfluencerFakeFollowerProportion "
                         "src/labeled_data.csv", "Instagram: 66 fake, 203 genuine followers"),
    "labeled_joined_profiles.csv": ("the same followers' scraped profiles (src/extracted_data) "
                                    "joined on username", "names, pictures"),
}
# Purba's set is ten times the others; every PURBA_STEP-th row keeps the table small.
PURBA_STEP = 6


def twitter_profile(row: dict[str, str]) -> dict:
    """A v1.1 Twitter user (MIB's users.csv) as the scorer's profile: every field is known."""
    def flag(name: str) -> bool:
        return row.get(name, "").strip() not in ("", "0", "0.0", "False", "NULL")

    return {
        "username": row["screen_name"], "full_name": row["name"],
        "bio": "" if row["description"] == "NULL" else row["description"],
        "has_profile_pic": not flag("default_profile_image"),
        "is_private": flag("protected"),
        "has_external_url": flag("url"),
        "posts_count": int(float(row["statuses_count"])),
        "followers_count": int(float(row["followers_count"])),
        "following_count": int(float(row["friends_count"])),
    }


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return list(csv.DictReader(handle))


def labelled_sources(raw: Path) -> list[tuple[str, bool, dict[str, str]]]:
    """(source, is_fake, raw row) for every account once: E13, TFP, INT, FSF+TWT (the 2017
    fakes that are not INT) and the 2017 genuine accounts."""
    int_ids = {row["id"] for row in _read(raw / "INT_users.csv")}
    rows = [("E13", False, row) for row in _read(raw / "E13_users.csv")]
    rows += [("TFP", False, row) for row in _read(raw / "BAS_users.csv")
             if row["dataset"] == "TFP"]
    rows += [("INT", True, row) for row in _read(raw / "INT_users.csv")]
    rows += [("FSF+TWT", True, row) for row in _read(raw / "fake_followers_users.csv")
             if row["id"] not in int_ids]
    rows += [("GEN17", False, row) for row in _read(raw / "genuine_accounts_users.csv")]
    return rows


def instagram_features(raw: Path) -> list[tuple[str, bool, dict[str, float]]]:
    """(source, is_fake, features) of the Instagram sets, from the fields each one has."""
    rows = []
    purba = [r for r in _read(raw / "user_fake_authentic_4class.csv") if r["class"] != "s"]
    for row in purba[::PURBA_STEP]:  # spammers (s) are not bought followers
        rows.append(("PURBA", row["class"] != "r", _counts(
            row["pos"], row["flw"], row["flg"], bio_length_log=math.log1p(float(row["bl"])),
            has_profile_pic=float(row["pic"]), has_external_url=float(row["lin"]))))
    for row in _read(raw / "ig_PD.csv"):  # has_pic looks inverted (mean 0.01): not used
        length, digits = int(row["username_len"]), int(row["username_digits"])
        rows.append(("CAIVANO", row["isFake"] == "1", _counts(
            row["num_post"], row["num_followers"], row["num_followings"],
            username_digit_ratio=digits / length if length else 0.0,
            username_length=float(length), has_full_name=float(row["full_name_len"] != "0"),
            bio_length_log=math.log1p(float(row["bio_len"])))))
    for row in _read(raw / "tiktok_accounts.csv"):
        rows.append(("TIKTOK", row["fake"] == "True",
                     features(parse_profile(tiktok_profile(row), f"TIKTOK {row['uniqueId']}"))))
    profiles = {row["username"]: row for row in _read(raw / "labeled_joined_profiles.csv")}
    for row in _read(raw / "labeled_data.csv"):
        profile = instagram_profile(row, profiles[row["ID"]])
        rows.append(("SERAPHIM", row["IsFake"] == "True",
                     features(parse_profile(profile, f"SERAPHIM {row['ID']}"))))
    return rows


def _counts(posts: str, followers: str, following: str, **values: float) -> dict[str, float]:
    return features(parse_profile({
        **dict.fromkeys(("username", "full_name", "bio", "has_profile_pic", "is_private",
                         "has_external_url")),
        "posts_count": int(float(posts)), "followers_count": int(float(followers)),
        "following_count": int(float(following))}, "counts")) | values


def tiktok_profile(row: dict[str, str]) -> dict:
    """A TikTok user (TikAPI) as the scorer's profile; "No bio yet" is the app's placeholder
    for an empty bio, and the picture and URL were not kept."""
    bio = row["signature"]
    return {
        "username": row["uniqueId"], "full_name": row["nickname"],
        "bio": "" if bio.strip() == "No bio yet" else bio,
        "has_profile_pic": None, "is_private": None, "has_external_url": None,
        "posts_count": row["videoCount"], "followers_count": row["followerCount"],
        "following_count": row["followingCount"],
    }


def instagram_profile(labelled: dict[str, str], scraped: dict[str, str]) -> dict:
    """A hand-labelled Instagram follower (counts from the labels file, name and picture from
    the 2019 follower-list scrape) as the scorer's profile. The bio was scraped only with the
    counts, so it is known only there; the external URL was not kept."""
    picture = scraped["profile_pic_url"]
    return {
        "username": labelled["ID"], "full_name": scraped["full_name"],
        "bio": scraped["biography"] if scraped["media_count"] else None,
        # Instagram's stock silhouette has this image id.
        "has_profile_pic": ("11906329_960233084022564_1448528159" not in picture
                            if picture else None),
        "is_private": labelled["Is private"] == "True", "has_external_url": None,
        "posts_count": labelled["Posts"], "followers_count": labelled["Followers"],
        "following_count": labelled["Following"],
    }


def build_table(raw: Path, table: Path = TABLE) -> int:
    missing = [name for name in RAW_FILES if not (raw / name).exists()]
    if missing:
        raise FileNotFoundError(f"{raw} lacks {', '.join(missing)}; see RAW_FILES in "
                                f"{__file__} for which MIB file each one is")
    table.parent.mkdir(parents=True, exist_ok=True)
    rows = labelled_sources(raw)
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([SOURCE, LABEL, *FEATURES])
        labelled = [(source, fake, features(parse_profile(twitter_profile(row),
                                                          f"{source} id {row['id']}")))
                    for source, fake, row in rows] + instagram_features(raw)
        for source, fake, values in labelled:
            writer.writerow([source, int(fake), *(f"{values[name]:.6g}" if name in values else ""
                                                  for name in FEATURES)])
    return len(labelled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", type=Path, help="the folder with the raw users.csv files")
    args = parser.parse_args(argv)
    try:
        count = build_table(args.raw)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{count} labelled accounts -> {TABLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
