"""The dashboard's static files and templates ship in the gateway's package: hatchling builds the wheel from the
package folder and leaves out what .gitignore names (it ignores ``dist/``, hence ``vendor/chartjs/``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import gateway.dashboard

PACKAGE = Path(gateway.dashboard.__file__).parent
ROOT = Path(__file__).resolve().parents[2]


def test_static_files_and_templates_are_not_ignored_and_the_licence_is_beside_the_library() -> None:
    files = sorted(p for folder in ("static", "templates") for p in (PACKAGE / folder).rglob("*") if p.is_file())
    names = {p.relative_to(PACKAGE).as_posix() for p in files}
    assert {"static/vendor/chartjs/chart.umd.min.js", "static/vendor/chartjs/LICENSE.md", "static/README.md",
            "static/dashboard.js", "static/dashboard.css", "templates/dashboard.html",
            "templates/signin.html"} <= names
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *map(str, files)], cwd=ROOT,
                             capture_output=True, text=True)
    assert ignored.stdout == "", f"ignored by .gitignore, so left out of the wheel: {ignored.stdout}"
    assert "Chart.js v4.6.1" in (PACKAGE / "static/vendor/chartjs/chart.umd.min.js").read_text()[:200]
    assert "4.6.1" in (PACKAGE / "static/README.md").read_text()
