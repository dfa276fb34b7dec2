"""The layout keeps the flow one way: import-linter's contracts (pyproject.toml) hold, and no
module of the product or its tools uses another module's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (ROOT / "plugins" / "kolpipe", ROOT / "tools" / "kolpipe_tools")


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def private_uses(path: Path) -> list[str]:
    """`from kolpipe.x import _name` and `module._name` on an imported kolpipe module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kolpipe"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("kolpipe"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_reaches_into_another_modules_private_names():
    found = [use for package in PACKAGES for path in sorted(package.rglob("*.py"))
             for use in private_uses(path)]
    assert found == []


def test_the_private_name_check_sees_a_violation(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("from kolpipe.core import files\nfrom kolpipe.land import _summary\n"
                      "files._stale()\n")
    assert private_uses(source) == ["bad.py:2 imports kolpipe.land._summary",
                                    "bad.py:3 uses files._stale"]
