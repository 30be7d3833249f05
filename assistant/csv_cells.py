"""A CSV cell that a spreadsheet would run as a formula, written so that it cannot, and read
back as it was.

Excel, LibreOffice and Google Sheets take a cell beginning with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula: a member's example
`=HYPERLINK("https://evil.example", ...)` in `export csv` ran in the admin's spreadsheet
(CWE-1236). Such a cell is written after a `'`, which a spreadsheet reads as "this is text" and
does not show; reading a CSV takes that `'` off again, so an export attached to `train` gives
back the same examples.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def exported(cell: str) -> str:
    """`cell` as a CSV to be opened in a spreadsheet holds it."""
    return TEXT_MARK + cell if cell.startswith(FORMULA_STARTS) else cell


def imported(cell: str) -> str:
    """A cell read from a CSV: an `exported` formula's `'` taken off."""
    if cell.startswith(TEXT_MARK) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
