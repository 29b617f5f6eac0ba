"""What the workbench answers with: findings with their remedies, documents in one zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def zip_files(paths: list[Path]) -> bytes:
    """The documents in one zip: fixed order and dates, so the same report gives the same bytes."""
    from ..write.atomic import fixed_time

    _, date_time = fixed_time()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(paths, key=lambda p: p.name):
            info = zipfile.ZipInfo(path.name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
