#!/usr/bin/env python3
"""Writes a scanned-like PDF: N A4 pages, each one full-page 8-bit grey image of noise.

Noise does not compress, so the file is as large as a real scan of the same pixel count; the
images are stored uncompressed so poppler decodes them on every inspection, as it would a
real scan. Usage: make-scanned-pdf.py OUT.pdf PAGES TARGET_MIB [SEED]
"""
import os
import random
import sys

out, pages, target_mib = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
rng = random.Random(seed)
per_page = int(target_mib * 1024 * 1024 / pages) - 600
width = 1240  # about 150 dpi across A4
height = max(1, per_page // width)

objects = []
page_ids = [3 + 3 * i for i in range(pages)]
objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
objects.append(("<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % p for p in page_ids), pages)).encode())
for i in range(pages):
    pid = page_ids[i]
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                    "/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (pid + 1, pid + 2)).encode())
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    pixels = rng.randbytes(width * height) if hasattr(rng, "randbytes") else os.urandom(width * height)
    objects.append(("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    "/BitsPerComponent 8 /Length %d >>\nstream\n" % (width, height, len(pixels))).encode()
                   + pixels + b"\nendstream")

with open(out, "wb") as f:
    f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(f.tell())
        f.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = f.tell()
    f.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        f.write(b"%010d 00000 n \n" % off)
    f.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
