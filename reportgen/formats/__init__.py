"""Format definitions: each edition of the national format, as data."""

from __future__ import annotations

from .base import REGISTERED, Format
from .gov2019 import GOV_2019
from .gov2021 import GOV_2021
from .published import GOV_2021_OLD_TABLE_3

FORMATS: dict[str, Format] = {
    GOV_2021.key: GOV_2021,
    GOV_2019.key: GOV_2019,
    GOV_2021_OLD_TABLE_3.key: GOV_2021_OLD_TABLE_3,
}
REGISTERED.update(FORMATS)
# Editions that only published reports use: read and checked, never offered for a new workbook.
PUBLISHED_ONLY = (GOV_2021_OLD_TABLE_3.key,)
DEFAULT = GOV_2021.key
# The parts of a JSON document that hold figures, in table order (the data model's JSON interface).
FIGURE_PARTS = ("active_disclosure", "requests", "appeals", "other_matters")


def get_format(key: str = DEFAULT) -> Format:
    """The format definition named `key` (e.g. ``gov-2021``)."""
    return FORMATS[key]


__all__ = ["FORMATS", "PUBLISHED_ONLY", "DEFAULT", "FIGURE_PARTS", "Format", "get_format"]
