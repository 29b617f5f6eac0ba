"""Where the built-in template packs and the sample live, installed or in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _data_dir(name: str) -> Path:
    # Installed (wheel or editable): templates/ and sample_data/ are mapped into reportgen.data.
    try:
        found = resources.files(f"reportgen.data.{name}")
        path = Path(str(found))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / name  # a plain checkout


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
