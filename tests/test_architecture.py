"""The project's structural rules: the library stays free of Streamlit, pages stay thin."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


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
