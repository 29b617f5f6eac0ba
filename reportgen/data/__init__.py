"""Package data: the built-in template packs and the sample workbook are mapped here."""
