"""Shared test fixtures: paths to the example and to ../shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "syndicated-opinion.txt"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/, or skip the test when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (a sibling ../shared folder is needed)")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return shared_path("data", "seed", "duran-putin-isis-threat.txt")


@pytest.fixture(scope="session")
def mbfc_path() -> Path:
    return shared_path("data", "source-ratings", "mbfc-2024-06.csv")


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run ``unspin ARGS`` in-process: (exit code, stdout, stderr)."""
    from unspin.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
