"""Checksum every table and view of a built warehouse, to show a refactor changed nothing.

    python tools/checksum_warehouse.py WAREHOUSE.duckdb > checksums.txt
    python tools/checksum_warehouse.py --demo HOME [--end 2026-11-22] [--port 8765] > checksums.txt

`--demo HOME` first runs `kolpipe demo` on a fixed end date with KOLPIPE_HOME=HOME, so the
same world is built before and after a change; then it checksums HOME's build warehouse and the
published marts. One line per relation: schema.name, rows, and an order-independent hash of
every row. Doubles are printed to 12 significant digits first, because DuckDB's parallel sums
may differ in the last bits from run to run; that is not a change of behaviour.
Compare two outputs with `--compare BEFORE AFTER`: every relation in both must be identical;
relations only in one are listed (a refactor may add a step, never lose or change one).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def checksums(warehouse: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    relations = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() order by all").fetchall()
    lines = []
    for schema, name in relations:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name]).fetchall()
        parts = [f"printf('%.12g', \"{c}\")" if t in FLOAT_TYPES else f"\"{c}\"::varchar"
                 for c, t in columns]
        row = " || '|' || ".join(f"coalesce({p}, '∅')" for p in parts)
        rows, digest = con.execute(
            f'select count(*), coalesce(sum(hash({row})::hugeint), 0) '
            f'from "{schema}"."{name}"').fetchone()
        lines.append(f"{schema}.{name}\t{rows}\t{digest}")
    return lines


def read(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    found, section = {}, ""
    for line in path.read_text().splitlines():
        if line.startswith("# "):
            section = line[2:]
        elif line:
            relation, rows, digest = line.split("\t")
            found[section, relation] = (rows, digest)
    return found


def compare(before_path: Path, after_path: Path) -> int:
    before, after = read(before_path), read(after_path)
    common = sorted(set(before) & set(after))
    differ = [key for key in common if before[key] != after[key]]
    print(f"{len(common)} relations in both, {len(common) - len(differ)} identical, "
          f"{len(differ)} differ")
    for file, relation in differ:
        print(f"  differs: {file} {relation}: {before[file, relation]} -> "
              f"{after[file, relation]}")
    for label, only in (("only before", set(before) - set(after)),
                        ("only after", set(after) - set(before))):
        for file, relation in sorted(only):
            print(f"  {label}: {file} {relation}")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", nargs="?", type=Path)
    parser.add_argument("--demo", type=Path, help="run the demo into this KOLPIPE_HOME first")
    parser.add_argument("--end", default="2026-11-22", help="the demo's last date")
    parser.add_argument("--port", default="8765", help="the demo's sandbox port")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="compare two outputs of this script; exit 1 if a relation differs")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.demo:
        env = dict(os.environ, KOLPIPE_HOME=str(args.demo.resolve()))
        env.pop("KOLPIPE_REGISTRY", None)
        kolpipe = Path(sys.executable).with_name("kolpipe")
        subprocess.run([str(kolpipe), "demo", "--end", args.end, "--port", args.port], env=env,
                       check=True, stdout=sys.stderr)
        targets = [args.demo / "warehouse" / "kol_build.duckdb",
                   args.demo / "published" / "kol.duckdb"]
    elif args.warehouse:
        targets = [args.warehouse]
    else:
        parser.error("give a WAREHOUSE file or --demo HOME")
    for target in targets:
        print(f"# {target.name}")
        print("\n".join(checksums(target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
