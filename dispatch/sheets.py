"""Tables as CSV or XLSX files people open in a spreadsheet (the ticket export, the 民主评议 export).

Text a spreadsheet would run as a formula is prefixed with ' (CSV/formula injection), and control characters no
cell can hold are dropped (openpyxl refuses them, and one failed a whole export).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

#: Control characters a spreadsheet cell cannot hold.
_NOT_IN_A_CELL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _NOT_IN_A_CELL.sub("", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(headers: Iterable[str], rows: Iterable[list[Any]]) -> str:
    """CSV with a byte-order mark, so Excel reads the Chinese as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(headers))
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return "\ufeff" + out.getvalue()


def xlsx_bytes(title: str, headers: Iterable[str], rows: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
