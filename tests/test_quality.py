"""The raw-data checks (kolpipe.validate) on small landed partitions written in tmp_path.

Each test lands a few accounts with two posts each for instagram (or another platform) on
2026-03-02, and usually the day before, then runs validate_landed as the Airflow task would.
"""

# Over 300 lines on purpose: one file for the raw checks, so the partition builders above the
# tests and the cases of the three phases (schema, row rules, table rules) read together.

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kolpipe import validate
from kolpipe.core import fields, gx
from kolpipe.core import paths as core_paths
from kolpipe.core.fields import QUARANTINE_SCHEMA, REGISTRY_SCHEMA, schema
from kolpipe.core.files import quarantine_file, raw_file
from kolpipe.core.paths import run_record
from kolpipe.validate import RawDataCheckFailed, raise_if_failed, validate_landed

DAY = date(2026, 3, 2)
PREVIOUS_DAY = DAY - timedelta(days=1)
ENTITIES = ("accounts", "posts", "post_metrics")


# --- landing a small, deterministic partition -----------------------------------------------

def account_id(platform: str, number: int) -> str:
    return f"{platform}-acc-{number}"


def landed_rows(platform: str, entity: str, day: date, accounts: int, posts_per_account: int,
                ) -> list[dict]:
    """One row per account (accounts) or per post (posts, post_metrics), every schema column
    filled: ints are 10 * row number, timestamps noon of the day minus row number hours."""
    extracted_at = datetime.combine(day + timedelta(days=1), time(0, 5), tzinfo=UTC)
    count = accounts if entity == "accounts" else accounts * posts_per_account
    rows = []
    for number in range(count):
        row = {}
        for column in schema(platform, entity):
            if column.name == "account_id":
                row["account_id"] = account_id(platform, number % accounts)
            elif column.name == "id":
                row["id"] = f"{platform}-post-{number}"
            elif column.name == "logical_date":
                row["logical_date"] = day
            elif column.name == "extracted_at":
                row["extracted_at"] = extracted_at
            elif column.type == pa.int64():
                row[column.name] = 10 * number
            elif column.type == pa.bool_():
                row[column.name] = False
            elif pa.types.is_timestamp(column.type):
                row[column.name] = datetime.combine(day, time(12), tzinfo=UTC) - timedelta(
                    hours=number)
            else:
                row[column.name] = f"{column.name} {number}"
        row["raw_payload"] = json.dumps({"row": number, "entity": entity})
        rows.append(row)
    return rows


def write_partition(paths: core_paths.Paths, platform: str, entity: str, day: date,
                    rows: list[dict], table_schema: pa.Schema | None = None) -> Path:
    path = raw_file(paths, platform, entity, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=table_schema or schema(platform, entity)),
                   path)
    return path


def land(paths: core_paths.Paths, platform: str = "instagram", day: date = DAY, accounts: int = 4,
         posts_per_account: int = 2, registered: int | None = None) -> dict[str, list[dict]]:
    """Land the three entities and the registry snapshot (`registered` accounts, default all)."""
    rows = {entity: landed_rows(platform, entity, day, accounts, posts_per_account)
            for entity in ENTITIES}
    for entity, entity_rows in rows.items():
        write_partition(paths, platform, entity, day, entity_rows)
    for entity in fields.entities(platform):  # the samples and creator data land empty:
        if entity not in ENTITIES:            # these checks are about the three above
            write_partition(paths, platform, entity, day, [])
    registry = [{"kol_id": f"kol-{n}", "display_name": f"KOL {n}", "niche": "tech",
                 "language": "en", "platform": platform, "account_id": account_id(platform, n),
                 "handle": f"handle{n}", "logical_date": day}
                for n in range(accounts if registered is None else registered)]
    path = raw_file(paths, "registry", "accounts", day)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(registry, schema=REGISTRY_SCHEMA), path)
    return rows


def read(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


@pytest.fixture
def paths(tmp_path, monkeypatch) -> core_paths.Paths:
    monkeypatch.setenv("KOLPIPE_HOME", str(tmp_path))
    return core_paths.paths()


def table_failures(result) -> dict[str, dict]:
    return {f"{f.entity}/{f.rule}": f.details for f in result.failed_expectations
            if f.severity == "table"}


# --- the checks --------------------------------------------------------------------------------

def test_a_clean_partition_passes_with_nothing_quarantined(paths):
    land(paths, day=PREVIOUS_DAY)
    land(paths)
    before = {e: raw_file(paths, "instagram", e, DAY).read_bytes() for e in ENTITIES}

    result = validate_landed("instagram", DAY)

    assert result.passed is True
    assert result.failed_expectations == []
    assert result.skipped_expectations == []
    assert {e: (c.rows_checked, c.rows_quarantined) for e, c in result.entities.items()} == {
        "accounts": (4, 0), "posts": (8, 0), "post_metrics": (8, 0),
        "creator_insights": (0, 0), "audience_demographics": (0, 0)}
    assert not quarantine_file(paths, "instagram", DAY).exists()
    assert {e: raw_file(paths, "instagram", e, DAY).read_bytes()
            for e in ENTITIES} == before
    written = json.loads((paths.runs / "quality" / "dt=2026-03-02" / "instagram.json").read_text())
    assert written["passed"] is True
    assert written["quarantined_total"] == 0
    assert written["entities"]["posts"] == {"rows_checked": 8, "rows_landed": 8,
                                            "rows_quarantined": 0, "quarantined_by_reason": {}}
    assert raise_if_failed(result) is result


def test_no_previous_partition_skips_the_volume_rule(paths):
    land(paths)

    result = validate_landed("instagram", DAY)

    assert result.passed is True
    assert [(s.entity, s.rule) for s in result.skipped_expectations] == [
        (e, "expect_table_row_count_to_be_between") for e in ENTITIES]
    assert "no previous day's partition" in result.skipped_expectations[0].why


def test_negative_count_and_duplicate_id_are_quarantined(paths):
    land(paths, day=PREVIOUS_DAY)
    rows = land(paths)
    rows["accounts"][1]["followers_count"] = -5
    rows["posts"][3]["id"] = rows["posts"][2]["id"]  # instagram-post-2 listed twice
    write_partition(paths, "instagram", "accounts", DAY, rows["accounts"])
    write_partition(paths, "instagram", "posts", DAY, rows["posts"])

    result = validate_landed("instagram", DAY)

    # Row rules quarantine; they do not fail the run. The quarantined account explains its
    # absence from the accounts partition, so the registry rule passes.
    assert result.passed is True
    accounts, posts = result.entities["accounts"], result.entities["posts"]
    assert (accounts.rows_checked, accounts.rows_landed, accounts.rows_quarantined) == (4, 3, 1)
    assert accounts.quarantined_by_reason == {
        "expect_column_values_to_be_between:followers_count": 1}
    assert (posts.rows_checked, posts.rows_landed, posts.rows_quarantined) == (8, 6, 2)
    assert posts.quarantined_by_reason == {"expect_column_values_to_be_unique:id": 2}
    assert result.entities["post_metrics"].rows_quarantined == 0
    assert result.quarantined_total == 3

    landed_accounts = read(raw_file(paths, "instagram", "accounts", DAY))
    assert [r["account_id"] for r in landed_accounts] == [
        "instagram-acc-0", "instagram-acc-2", "instagram-acc-3"]
    landed_posts = read(raw_file(paths, "instagram", "posts", DAY))
    assert [r["id"] for r in landed_posts] == [
        "instagram-post-0", "instagram-post-1", "instagram-post-4", "instagram-post-5",
        "instagram-post-6", "instagram-post-7"]
    assert pq.read_schema(raw_file(paths, "instagram", "posts", DAY)) == schema(
        "instagram", "posts")

    quarantined = read(quarantine_file(paths, "instagram", DAY))
    assert [(r["entity"], r["account_id"], r["reason"], r["raw_payload"]) for r in quarantined] == [
        ("accounts", "instagram-acc-1", "expect_column_values_to_be_between:followers_count",
         '{"row": 1, "entity": "accounts"}'),
        ("posts", "instagram-acc-2", "expect_column_values_to_be_unique:id",
         '{"row": 2, "entity": "posts"}'),
        ("posts", "instagram-acc-3", "expect_column_values_to_be_unique:id",
         '{"row": 3, "entity": "posts"}'),
    ]
    assert {r["platform"] for r in quarantined} == {"instagram"}
    assert {r["logical_date"] for r in quarantined} == {DAY}

    row_failures = {(f.entity, f.rule): f.details for f in result.failed_expectations}
    assert row_failures == {
        ("accounts", "expect_column_values_to_be_between:followers_count"):
            {"rows_quarantined": 1, "account_ids": ["instagram-acc-1"]},
        ("posts", "expect_column_values_to_be_unique:id"):
            {"rows_quarantined": 2, "account_ids": ["instagram-acc-2", "instagram-acc-3"]},
    }


def test_quarantine_keeps_the_landing_stage_rows(paths):
    rows = land(paths)
    rows["post_metrics"][0]["like_count"] = -1
    write_partition(paths, "instagram", "post_metrics", DAY, rows["post_metrics"])
    landing_reject = {"platform": "instagram", "entity": "posts", "account_id": "instagram-acc-0",
                      "reason": "unparseable timestamp", "logical_date": DAY,
                      "extracted_at": datetime(2026, 3, 3, 0, 5, tzinfo=UTC),
                      "raw_payload": "{}"}
    path = quarantine_file(paths, "instagram", DAY)
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([landing_reject], schema=QUARANTINE_SCHEMA), path)

    result = validate_landed("instagram", DAY)

    assert [r["reason"] for r in read(path)] == [
        "unparseable timestamp", "expect_column_values_to_be_between:like_count"]
    assert result.entities["posts"].rows_quarantined == 0  # the landing stage's row is not ours
    assert result.entities["post_metrics"].rows_quarantined == 1


def test_a_post_dated_after_the_next_day_is_quarantined(paths):
    rows = land(paths, platform="x")
    rows["posts"][0]["created_at"] = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # logical date + 2
    rows["posts"][1]["created_at"] = datetime(2026, 3, 3, 23, 59, tzinfo=UTC)  # + 1: allowed
    rows["posts"][2]["created_at"] = datetime(2003, 12, 31, tzinfo=UTC)  # before 2004
    write_partition(paths, "x", "posts", DAY, rows["posts"])

    result = validate_landed("x", DAY)

    assert result.passed is True
    assert result.entities["posts"].quarantined_by_reason == {
        "expect_column_values_to_be_between:created_at": 2}
    assert [r["id"] for r in read(raw_file(paths, "x", "posts", DAY))][:2] == [
        "x-post-1", "x-post-3"]


def test_a_missing_column_fails_and_names_platform_and_column(paths):
    rows = land(paths)
    for row in rows["accounts"]:
        del row["followers_count"]
    broken = schema("instagram", "accounts").remove(
        schema("instagram", "accounts").get_field_index("followers_count"))
    path = write_partition(paths, "instagram", "accounts", DAY, rows["accounts"], broken)
    before = path.read_bytes()

    result = validate_landed("instagram", DAY)

    assert result.passed is False
    assert table_failures(result) == {"accounts/expect_table_columns_to_match_set": {
        "missing_columns": ["followers_count"], "unexpected_columns": []}}
    assert path.read_bytes() == before  # nothing quarantined from a table with a broken schema
    assert {s.why for s in result.skipped_expectations if s.entity == "accounts"} == {
        "schema check failed"}
    with pytest.raises(RawDataCheckFailed) as raised:
        raise_if_failed(result)
    message = str(raised.value)
    assert "Raw data checks failed for instagram on 2026-03-02" in message
    assert "instagram__accounts: expect_table_columns_to_match_set" in message
    assert "missing: ['followers_count']" in message
    assert str(paths.runs / "quality" / "dt=2026-03-02" / "instagram.json") in message
    assert raised.value.result is result
    assert str(pickle.loads(pickle.dumps(raised.value))) == message  # executors may pickle it


def test_a_wrong_type_fails_and_names_the_column(paths):
    rows = land(paths, platform="tiktok")
    wrong = schema("tiktok", "post_metrics")
    wrong = wrong.set(wrong.get_field_index("view_count"), pa.field("view_count", pa.string()))
    for row in rows["post_metrics"]:
        row["view_count"] = str(row["view_count"])
    write_partition(paths, "tiktok", "post_metrics", DAY, rows["post_metrics"], wrong)

    result = validate_landed("tiktok", DAY)

    assert result.passed is False
    assert table_failures(result) == {
        "post_metrics/expect_column_values_to_be_of_type:view_count":
            {"column": "view_count", "landed_type": "string", "expected_type": "int64"}}
    with pytest.raises(RawDataCheckFailed,
                       match=r"tiktok on 2026-03-02:\n.*tiktok__post_metrics: "
                             r"expect_column_values_to_be_of_type:view_count — column view_count "
                             r"is string, landing_schema says int64"):
        raise_if_failed(result)


@pytest.mark.parametrize(("posts_per_account_yesterday", "passed"), [(4, True), (5, False)])
def test_volume_below_half_of_the_previous_day_fails(paths, posts_per_account_yesterday, passed):
    land(paths, day=PREVIOUS_DAY, posts_per_account=posts_per_account_yesterday)
    land(paths, posts_per_account=2)  # 8 posts today: 50% of 16 passes, of 20 does not

    result = validate_landed("instagram", DAY)

    assert result.passed is passed
    if not passed:
        assert table_failures(result) == {
            f"{entity}/expect_table_row_count_to_be_between": {
                "row_count": 8, "min_row_count": 10, "max_row_count": None,
                "previous_day_row_count": 20}
            for entity in ("posts", "post_metrics")}
        with pytest.raises(RawDataCheckFailed,
                           match=r"8 rows; expected at least 10 \(previous day: 20 rows\)"):
            raise_if_failed(result)


def test_previous_day_rows_it_quarantined_still_count_towards_volume(paths):
    yesterday = land(paths, day=PREVIOUS_DAY, posts_per_account=4)
    for row in yesterday["posts"][:6]:
        row["id"] = "same-id"
    write_partition(paths, "instagram", "posts", PREVIOUS_DAY, yesterday["posts"])
    land(paths, posts_per_account=2)

    unchecked = validate_landed("instagram", DAY)  # yesterday not checked yet: 16 rows landed
    validate_landed("instagram", PREVIOUS_DAY)  # now 10 landed + 6 quarantined
    checked = validate_landed("instagram", DAY)

    assert unchecked.passed is checked.passed is True
    assert unchecked.to_dict() == checked.to_dict()


def test_a_registered_account_missing_without_explanation_fails(paths):
    land(paths, registered=5)  # the registry lists instagram-acc-4, the accounts do not

    result = validate_landed("instagram", DAY)

    assert result.passed is False
    assert table_failures(result) == {
        "accounts/expect_column_distinct_values_to_contain_set:account_id":
            {"missing_count": 1, "missing": ["instagram-acc-4"]}}
    with pytest.raises(RawDataCheckFailed, match=r"1 registered account\(s\) neither landed nor "
                                                 r"explained .*: \['instagram-acc-4'\]"):
        raise_if_failed(result)


def test_a_registered_account_explained_in_the_quarantine_passes(paths):
    land(paths, registered=5)
    private = {"platform": "instagram", "entity": "accounts", "account_id": "instagram-acc-4",
               "reason": "private account", "logical_date": DAY,
               "extracted_at": datetime(2026, 3, 3, 0, 5, tzinfo=UTC), "raw_payload": "{}"}
    path = quarantine_file(paths, "instagram", DAY)
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([private], schema=QUARANTINE_SCHEMA), path)

    result = validate_landed("instagram", DAY)

    assert result.passed is True
    assert result.entities["accounts"].rows_quarantined == 0


def test_a_registered_account_explained_by_an_extract_account_error_passes(paths):
    land(paths, registered=5)
    summary = paths.runs / "extract" / "dt=2026-03-02" / "instagram.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"account_errors": [
        {"kol_id": "kol-4", "account_id": "instagram-acc-4", "handle": "handle4",
         "kind": "private", "message": "instagram kol-4: account is private"}]}))

    assert validate_landed("instagram", DAY).passed is True


def test_a_missing_registry_snapshot_fails(paths):
    land(paths)
    raw_file(paths, "registry", "accounts", DAY).unlink()

    result = validate_landed("instagram", DAY)

    assert result.passed is False
    assert list(table_failures(result)) == [
        "accounts/expect_column_distinct_values_to_contain_set:account_id"]
    with pytest.raises(RawDataCheckFailed, match="no registry snapshot at"):
        raise_if_failed(result)


def test_a_missing_partition_fails(paths):
    land(paths)
    raw_file(paths, "instagram", "post_metrics", DAY).unlink()

    result = validate_landed("instagram", DAY)

    assert result.passed is False
    assert list(table_failures(result)) == ["post_metrics/landed_partition_exists"]
    assert set(result.entities) == {"accounts", "posts", "creator_insights",
                                    "audience_demographics"}


def test_rerun_is_idempotent(paths):
    land(paths, day=PREVIOUS_DAY)
    rows = land(paths)
    rows["accounts"][0]["media_count"] = -1
    rows["posts"][5]["id"] = rows["posts"][4]["id"]
    write_partition(paths, "instagram", "accounts", DAY, rows["accounts"])
    write_partition(paths, "instagram", "posts", DAY, rows["posts"])
    files = [raw_file(paths, "instagram", e, DAY) for e in ENTITIES] + [
        quarantine_file(paths, "instagram", DAY),
        run_record(paths, "quality", DAY, "instagram.json")]

    first = validate_landed("instagram", DAY)
    after_first = {path: path.read_bytes() for path in files}
    second = validate_landed("instagram", DAY)

    assert {path: path.read_bytes() for path in files} == after_first
    assert second.to_dict() == first.to_dict()
    assert second.entities["accounts"].rows_checked == 4
    assert second.entities["posts"].rows_quarantined == 2

    # Landing reruns and lands the same rows again: they are quarantined once, not twice.
    write_partition(paths, "instagram", "accounts", DAY, rows["accounts"])
    write_partition(paths, "instagram", "posts", DAY, rows["posts"])
    third = validate_landed("instagram", DAY)
    assert len(read(quarantine_file(paths, "instagram", DAY))) == 3
    assert third.to_dict() == first.to_dict()
    results = run_record(paths, "quality", DAY, "instagram.json")
    assert results.read_bytes() == after_first[files[-1]]


# --- the suites themselves -------------------------------------------------------------------

@pytest.mark.parametrize("platform", core_paths.PLATFORMS)
@pytest.mark.parametrize("entity", ENTITIES)
def test_every_suite_loads_and_covers_its_table(platform, entity):
    rules = validate.load_rules(platform, entity)
    gx.build_suite(rules)  # every expectation and its kwargs are valid GX 1.x

    table = schema(platform, entity)
    assert {r.column for r in rules if r.column} <= set(table.names)
    checks = {(r.expectation, r.column, r.severity) for r in rules}
    counts = [f.name for f in table if f.type == pa.int64()]
    timestamps = [f.name for f in table if pa.types.is_timestamp(f.type)
                  and f.name != "extracted_at"]
    assert counts or timestamps  # every table has counts or dates to check
    for column in counts + timestamps:
        assert ("expect_column_values_to_be_between", column, "row") in checks, column
    for column in table.names:
        assert ("expect_column_values_to_be_of_type", column, "table") in checks
    key = "account_id" if entity == "accounts" else "id"
    assert ("expect_column_values_to_be_unique", key, "row") in checks
    for column in ("account_id", "logical_date", "extracted_at") + (
            () if entity == "accounts" else ("id",)):
        assert ("expect_column_values_to_not_be_null", column, "row") in checks


def test_a_bad_rule_is_reported_with_its_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    common = core_paths.EXPECTATIONS_DIR / "raw" / "_common.yml"
    (raw / "_common.yml").write_text(common.read_text())
    (raw / "weibo__posts.yml").write_text(
        "expectations:\n  - expectation: expect_column_values_to_be_between\n"
        "    columns: [created_at]\n    kwargs: {min_value: 2004-01-01T00:00:00Z}\n")

    with pytest.raises(validate.ExpectationsFileError,
                       match=r"weibo__posts.yml \(expectations\): .*severity must be one of"):
        validate.load_rules("weibo", "posts", expectations_dir=tmp_path)


def test_importing_the_module_does_not_import_gx_or_pandas():
    """A DAG file may import kolpipe.validate: parsing it must stay fast."""
    code = ("import sys, kolpipe.validate; "
            "print(sorted(m for m in ('great_expectations', 'pandas', 'pyarrow') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(core_paths.PROJECT_ROOT / "plugins")})
    assert out.stdout.strip() == "[]"


def test_creator_data_of_the_wrong_shape_is_quarantined(paths):
    """The creator entities' suites: a negative insight and a viewer share over 100 % are
    quarantined with their rule; a view count over 100 is not a percentage and stays."""
    land(paths, platform="youtube", day=PREVIOUS_DAY)
    land(paths, platform="youtube")
    audit = {"account_id": account_id("youtube", 0), "logical_date": DAY,
             "extracted_at": datetime.combine(DAY, time(23), tzinfo=UTC), "raw_payload": "{}"}
    insights = [{**audit, "post_id": None, "metric_date": DAY, "period": "day",
                 "metric": "views", "value": value} for value in (120, -3)]
    audience = [{**audit, "dimension": dimension, "bucket": bucket, "value": value,
                 "unit": unit} for dimension, bucket, value, unit in (
        ("age", "age18-24", 40.0, "viewer_percent"), ("gender", "female", 140.0,
                                                      "viewer_percent"),
        ("country", "US", 5000.0, "views"))]
    write_partition(paths, "youtube", "creator_insights", DAY, insights)
    write_partition(paths, "youtube", "audience_demographics", DAY, audience)

    result = validate_landed("youtube", DAY)

    quarantined = read(quarantine_file(paths, "youtube", DAY))
    assert sorted((row["entity"], row["reason"].split(":")[0]) for row in quarantined) == [
        ("audience_demographics", "expect_column_values_to_be_between"),
        ("creator_insights", "expect_column_values_to_be_between")]
    assert result.entities["audience_demographics"].rows_landed == 2
    assert result.entities["creator_insights"].rows_landed == 1
