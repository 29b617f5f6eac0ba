"""Format definitions: each edition of the national format, as data."""

from __future__ import annotations

from .base import Format
from .gov2019 import GOV_2019
from .gov2021 import GOV_2021

FORMATS: dict[str, Format] = {GOV_2021.key: GOV_2021, GOV_2019.key: GOV_2019}
DEFAULT = GOV_2021.key
# The parts of a JSON document that hold figures, in table order (the data model's JSON interface).
FIGURE_PARTS = ("active_disclosure", "requests", "appeals", "other_matters")


def get_format(key: str = DEFAULT) -> Format:
    """The format definition named `key` (e.g. ``gov-2021``)."""
    return FORMATS[key]


__all__ = ["FORMATS", "DEFAULT", "FIGURE_PARTS", "Format", "get_format"]
