"""Checksum every table and view of a built warehouse, to show a refactor changed nothing.

    python tools/checksum_warehouse.py WAREHOUSE.duckdb > checksums.txt
    python tools/checksum_warehouse.py --demo HOME [--end 2026-11-22] [--port 8765] > checksums.txt

`--demo HOME` first runs `kolpipe demo` on a fixed end date with KOLPIPE_HOME=HOME, so the
same world is built before and after a change; then it checksums HOME's build warehouse and the
published marts. One line per relation: schema.name, rows, and an order-independent hash of
every row. Doubles are printed to 12 significant digits first, because DuckDB's parallel sums
may differ in the last bits from run to run; that is not a change of behaviour.
Compare two outputs with `diff`.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", nargs="?", type=Path)
    parser.add_argument("--demo", type=Path, help="run the demo into this KOLPIPE_HOME first")
    parser.add_argument("--end", default="2026-11-22", help="the demo's last date")
    parser.add_argument("--port", default="8765", help="the demo's sandbox port")
    args = parser.parse_args()
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
