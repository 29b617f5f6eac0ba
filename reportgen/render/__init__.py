"""Rendering: packs, context, DOCX, HTML, PDF and charts."""
