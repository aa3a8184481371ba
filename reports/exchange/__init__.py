"""The exchange format (DESIGN.md section 8): a folder or .zip of UTF-8 CSV files that brings
case data in from other systems and takes it out again.

* :mod:`.schema` declares every file and column once;
* :mod:`.source` reads a folder or a zip into memory (zip-slip safe, size-limited);
* :mod:`.reader` parses and validates, reporting every problem as
  ``file:line: column: what is wrong``;
* :mod:`.importer` writes a valid exchange in one transaction (or reports a dry run);
* :mod:`.exporter` writes the same format from the database.
"""
