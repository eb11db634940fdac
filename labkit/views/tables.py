"""Tables for the screen: real HTML tables that never wrap inside a cell, in a box
that scrolls sideways when the table is wider than the output, and the same table
as text (for ``print`` and for nbval's plain-text comparison) or as a pandas
DataFrame (:meth:`Table.to_frame`; pandas is imported there, on first use).

>>> t = Table([{"level": "RAID 1", "drives": 2}, {"level": "RAID 0+1", "drives": 6}])
>>> print(t)
level     drives
--------  ------
RAID 1         2
RAID 0+1       6
>>> "white-space:nowrap" in t._repr_html_()
True
"""
from __future__ import annotations

from dataclasses import asdict, is_dataclass
from html import escape

from ..tables import table_cells, text_table

#: The style of every table: no wrapping inside a cell, numbers right-aligned.
CELL = "white-space:nowrap;padding:2px 10px 2px 0;text-align:{align};vertical-align:top"
SCROLL = "overflow-x:auto;max-width:100%"


def table_html(rows, columns=None, *, formats=None, caption: str | None = None) -> str:
    """Rows as an HTML table (arguments as for :func:`labkit.tables.text_table`), inside
    a horizontally scrolling box, cells never wrapped."""
    headers, body, numeric = table_cells(rows, columns, formats=formats)

    def td(v, i, tag="td"):
        return f"<{tag} style=\"{CELL.format(align='right' if numeric[i] else 'left')}\">{escape(v)}</{tag}>"

    head = "".join(td(h, i, "th") for i, h in enumerate(headers))
    trs = "".join("<tr>" + "".join(td(v, i) for i, v in enumerate(b)) + "</tr>" for b in body)
    cap = f"<caption style='text-align:left;white-space:nowrap'>{escape(caption)}</caption>" if caption else ""
    return (f"<div class='labkit-table' style='{SCROLL}'><table style='border-collapse:collapse'>{cap}"
            f"<thead><tr style='border-bottom:1px solid #999'>{head}</tr></thead><tbody>{trs}</tbody></table></div>")


class Table:
    """Rows (dicts or dataclasses) shown as a table: HTML in a notebook, fixed-width
    text in ``print`` and in plain-text outputs; ``columns`` and ``formats`` as for
    :func:`labkit.tables.text_table`."""

    def __init__(self, rows, columns=None, *, formats=None, caption: str | None = None):
        self.rows = [asdict(r) if is_dataclass(r) else dict(r) for r in rows]
        self.columns = columns
        self.formats = formats
        self.caption = caption

    def __str__(self) -> str:
        text = text_table(self.rows, self.columns, formats=self.formats)
        return f"{self.caption}\n{text}" if self.caption else text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return table_html(self.rows, self.columns, formats=self.formats, caption=self.caption)

    def to_frame(self):
        """The rows as a pandas DataFrame (the chosen columns, under their headers)."""
        import pandas as pd
        cols = self.columns or (list(self.rows[0]) if self.rows else [])
        cols = [c if isinstance(c, tuple) else (c, c) for c in cols]
        return pd.DataFrame([{h: r.get(k) for k, h in cols} for r in self.rows], columns=[h for _, h in cols])


def table(rows, columns=None, *, formats=None, caption: str | None = None) -> Table:
    """A :class:`Table` (the notebooks' way to show rows)."""
    return Table(rows, columns, formats=formats, caption=caption)
