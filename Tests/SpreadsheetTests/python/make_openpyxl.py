"""Workbooks written by openpyxl, an implementation independent of ours, for the reader tests.

    python make_openpyxl.py CASE OUT.xlsx

Cases: members (the main one), epoch1904, isodates, big (10,000 rows x 15 columns).
SpreadsheetTests/OpenpyxlReadTests.swift states what each cell must read as.
"""
import datetime
import sys

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904


def members(wb):
    ws = wb.active
    ws.title = "团员"
    ws.append(["姓名", "身份证号", "入团日期", "年龄", "备注", "团干部"])
    # The ID number as a number: what a user gets typing it into a General cell. openpyxl
    # writes it as 3.702111991042611e+17, already rounded, which the raw text lets the caller see.
    ws.append(["张三", 370211199104261104, datetime.date(2008, 5, 4), 17, " 前后空格 ", True])
    ws.append(["李四", "11010519491231002X", datetime.datetime(2010, 1, 2, 8, 30, 15), 16.5, None, False])
    # Row 4 stays empty; row 5 has a styled but empty trailing cell far to the right.
    ws["A5"] = "王五"
    ws["C5"] = datetime.date(1900, 3, 1)
    ws["J5"].font = Font(bold=True)
    ws["A6"] = CellRichText(["共青团", TextBlock(InlineFont(b=True), "员")])
    ws["B6"] = "a&b<c>\"d\""
    ws["C6"] = "逗号,与\n换行"
    ws["A7"] = 0.1
    ws["B7"] = -3
    ws["C7"] = 1e20
    ws.cell(row=9, column=2, value="第九行")
    ws["C2"].number_format = "yyyy-mm-dd"
    ws["C3"].number_format = 'yyyy"年"m"月"d"日" hh:mm:ss'
    org = wb.create_sheet("组织")
    org.append(["组织名称", "类型"])
    org.append(["计算机学院团委", "团委"])
    hidden = wb.create_sheet("选项")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "团员"


def epoch1904(wb):
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = datetime.date(2008, 5, 4)
    ws["A2"] = datetime.datetime(1904, 1, 1)


def isodates(wb):
    wb.iso_dates = True
    ws = wb.active
    ws["A1"] = datetime.date(2008, 5, 4)
    ws["A2"] = datetime.datetime(2010, 1, 2, 8, 30, 15)


def big(wb):
    ws = wb.active
    ws.title = "团员"
    ws.append([f"列{c}" for c in range(1, 16)])
    for r in range(1, 10001):
        ws.append([f"团员{r}", 370211199104260000 + r, datetime.date(2008, 5, 4), r * 0.5] +
                  [f"字段{r}-{c}" for c in range(5, 16)])


def huge(wb):
    # More than 10 MB of sheet XML (1,200 rows of 9,000 characters), random enough that the
    # compression ratio stays far below the reader's zip-bomb bound.
    import random
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz团员组织支部"
    ws = wb.active
    ws.title = "团员"
    ws.append(["姓名", "备注"])
    for r in range(1, 1201):
        head = f"{r}:"
        ws.append([f"团员{r}", head + "".join(rng.choice(letters) for _ in range(9000 - len(head)))])


CASES = {"members": members, "epoch1904": epoch1904, "isodates": isodates, "big": big, "huge": huge}

if __name__ == "__main__":
    case, out = sys.argv[1], sys.argv[2]
    workbook = openpyxl.Workbook()
    CASES[case](workbook)
    workbook.save(out)
