"""The CI helper scripts under .github/scripts, importable by the tests (they are not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / ".github" / "scripts"

_spec = importlib.util.spec_from_file_location("plan_summary", SCRIPTS / "plan_summary.py")
assert _spec
assert _spec.loader
plan_summary = importlib.util.module_from_spec(_spec)
sys.modules["plan_summary"] = plan_summary
_spec.loader.exec_module(plan_summary)
