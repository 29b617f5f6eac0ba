"""Where the built-in template packs and the sample live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path


def _data_dir(name: str) -> Path:
    # A wheel puts templates/ and sample_data/ under reportgen/data/ (see pyproject.toml);
    # a checkout (and an editable install) has them beside the package.
    installed = Path(__file__).resolve().parent / "data" / name
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / name


def templates_dir() -> Path:
    """The folder of the built-in template packs (`standard`, `lanshan`, …)."""
    return _data_dir("templates")


def sample_dir() -> Path:
    """The folder holding the sample workbook and its JSON twin."""
    return _data_dir("sample_data")


SAMPLE_NAME = "lanshan-2021"


def sample_workbook() -> Path:
    return sample_dir() / f"{SAMPLE_NAME}.xlsx"


def sample_json() -> Path:
    return sample_dir() / f"{SAMPLE_NAME}.json"
