"""The core packages type-check under ``mypy --strict`` (STYLE.md: strict on core).

The core (``core/``, ``providers/``, ``engine/``, ``store/``) is what every other
layer trusts, and its pure functions are where a wrong type would send a payload a
provider rejects. Configuration is ``[tool.mypy]`` in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_core_packages_pass_mypy_strict() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extras; install them to run this")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
