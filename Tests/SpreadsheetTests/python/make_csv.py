"""CSV files written by Python's csv module (an RFC 4180 writer independent of ours).

    python make_csv.py VARIANT OUT.csv

Variants: utf8-bom-crlf (what Excel's "CSV UTF-8" writes), utf8-lf, gb18030 (Chinese Excel's
plain "CSV"; the rows include a character outside GBK).
"""
import csv
import sys

ROWS = [
    ["姓名", "身份证号", "备注"],
    ["张三", "370211199104261104", 'say "hi", then\r\nleave'],
    [],
    ["李四", "", ""],
    ["𠀀王", "11010519491231002X", "末尾,逗号"],
]

if __name__ == "__main__":
    variant, out = sys.argv[1], sys.argv[2]
    encoding = {"utf8-bom-crlf": "utf-8-sig", "utf8-lf": "utf-8", "gb18030": "gb18030"}[variant]
    terminator = "\n" if variant == "utf8-lf" else "\r\n"
    with open(out, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator=terminator).writerows(ROWS)
