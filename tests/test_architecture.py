"""The project's structural rules: the library stays free of Streamlit, pages stay thin,
imports flow one way, no module grows past 1,000 lines, and ruff is clean.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

#: The import direction, first to last: a layer imports only from itself and earlier
#: layers. The plumbing (errors, i18n, checks, keys, limits, markup, memo, _yaml) serves
#: every layer.
#: Figures come before products because the report embeds them; figures draw analysis
#: and decide results.
LAYERS = (
    "plumbing",
    "data",
    "analysis",
    "decide",
    "figures",
    "products",
    "learn",
    "store",
    "cli",
    "ui",
    "pages",
)
PLUMBING = {
    "ilp_core",
    "ilp_core._yaml",
    "ilp_core.errors",
    "ilp_core.i18n",
    "ilp_core.checks",
    "ilp_core.keys",
    "ilp_core.limits",
    "ilp_core.markup",
    "ilp_core.memo",
}


def _layer(module: str) -> str:
    if module == "ilp_core.__main__":  # `python -m ilp_core` is the command line
        return "cli"
    if module in PLUMBING:
        return "plumbing"
    if module.startswith("ilp_core."):
        return module.split(".")[1]
    return module.split(".")[0]  # ui, pages


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every project module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.split(".")[0] in ("ilp_core", "ui", "pages")}


def _project_files() -> list[Path]:
    files = list((ROOT / "ilp_core").rglob("*.py")) + list((ROOT / "ui").glob("*.py"))
    return files + list((ROOT / "pages").glob("*.py"))


def test_imports_flow_one_way():
    known = {_module_name(p) for p in _project_files()}
    wrong = []
    for path in _project_files():
        here = _module_name(path)
        rank = LAYERS.index(_layer(here))
        for target in _imports(path):
            while target not in known and "." in target:  # `from pkg import name`
                target = target.rsplit(".", 1)[0]
            if LAYERS.index(_layer(target)) > rank:
                wrong.append(f"{here} imports {target}")
    assert not wrong, (
        "imports against the direction " + " -> ".join(LAYERS) + ":\n" + "\n".join(sorted(wrong))
    )


def test_nothing_imports_the_command_line():
    """The command line sits on top of the library: no library, ui or page module imports it."""
    users = []
    for path in _project_files():
        here = _module_name(path)
        if _layer(here) == "cli":
            assert not any(t.split(".")[0] in ("ui", "pages") for t in _imports(path)), here
            continue
        if any(t == "ilp_core.cli" or t.startswith("ilp_core.cli.") for t in _imports(path)):
            users.append(here)
    assert not users, f"these modules import the command line: {users}"


def test_every_library_module_belongs_to_a_layer():
    for path in (ROOT / "ilp_core").rglob("*.py"):
        assert _layer(_module_name(path)) in LAYERS, path


def test_no_library_module_is_over_1000_lines():
    big = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "ilp_core").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 1000
    }
    assert not big, f"split these by topic behind a package face (like ilp_core/data/ingest): {big}"


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(command):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is missing: it is pinned in requirements-dev.txt"
    out = subprocess.run([ruff, *command], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]


def test_ilp_core_never_imports_streamlit():
    code = (
        "import sys, importlib, pkgutil, ilp_core\n"
        "for m in pkgutil.walk_packages(ilp_core.__path__, 'ilp_core.'):\n"
        "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_pages_are_thin_views():
    for page in (ROOT / "pages").glob("*.py"):
        lines = page.read_text(encoding="utf-8").splitlines()
        assert len(lines) <= 250, f"{page.name} has {len(lines)} lines: move analysis to ilp_core"
        text = "\n".join(lines)
        for banned in ("groupby(", "np.histogram", "scipy", "esda", "statsmodels"):
            assert banned not in text, f"{page.name} computes ({banned}); that belongs in ilp_core"


def test_usage_statistics_are_off_and_uploads_bounded():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert 1 <= config["server"]["maxUploadSize"] <= 1000


def test_requirements_are_exactly_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{name}: {line!r} is not pinned exactly"
