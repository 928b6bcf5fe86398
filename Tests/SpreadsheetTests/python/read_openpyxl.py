"""Reads a workbook with openpyxl and prints what it found as JSON, for the writer tests.

    python read_openpyxl.py IN.xlsx

{"sheets": [{"name", "state", "freeze", "widths": {"A": 12.0}, "validations": [{"type",
"formula1", "sqref"}], "columnFormats": {"B": "@"}, "cells": [{"ref", "type", "value",
"format", "bold"}]}]}. Dates come as ISO text with type "date".
"""
import datetime
import json
import sys

import openpyxl


def cell_json(cell):
    value = cell.value
    if isinstance(value, datetime.datetime):
        kind, value = "date", value.isoformat()
    elif isinstance(value, datetime.date):
        kind, value = "date", value.isoformat()
    elif isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, (int, float)):
        kind, value = "number", float(value)
    else:
        kind, value = "text", str(value)
    return {"ref": cell.coordinate, "type": kind, "value": value,
            "format": cell.number_format, "bold": bool(cell.font and cell.font.b)}


def sheet_json(ws):
    return {
        "name": ws.title,
        "state": ws.sheet_state,
        "freeze": ws.freeze_panes,
        "widths": {key: dim.width for key, dim in ws.column_dimensions.items() if dim.customWidth},
        "columnFormats": {key: dim.number_format for key, dim in ws.column_dimensions.items()},
        "validations": [{"type": dv.type, "formula1": dv.formula1, "sqref": str(dv.sqref)}
                        for dv in ws.data_validations.dataValidation],
        "cells": [cell_json(c) for row in ws.iter_rows() for c in row if c.value is not None],
    }


if __name__ == "__main__":
    wb = openpyxl.load_workbook(sys.argv[1])
    print(json.dumps({"sheets": [sheet_json(ws) for ws in wb.worksheets]}, ensure_ascii=False))
