"""Shared fixtures: the sample report and built contexts."""

from __future__ import annotations

import copy
import json

import pytest

from reportgen.app.pipeline import build_context
from reportgen.read.document import from_document
from reportgen.render.packs import find_pack
from reportgen.resources import sample_json


@pytest.fixture(scope="session")
def sample_doc() -> dict:
    return json.loads(sample_json().read_text(encoding="utf-8"))


@pytest.fixture
def doc(sample_doc) -> dict:
    """A fresh, mutable copy of the sample JSON document."""
    return copy.deepcopy(sample_doc)


def sentences_of(document: dict, pack: str = "standard") -> dict[str, list[str]]:
    context, _ = build_context(from_document(document, source="test.json"), find_pack(pack))
    return context["sentences"]


@pytest.fixture(scope="session")
def context() -> dict:
    """The sample's template context in the standard pack (read-only: tests copy before changing)."""
    ctx, _ = build_context(from_document(json.loads(sample_json().read_text(encoding="utf-8")),
                                         source=str(sample_json())), find_pack("standard"))
    return ctx
