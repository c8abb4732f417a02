#!/usr/bin/env python3
# What a few small .docx files that unpack a large binary part cost the whole gateway: `npm run
# build`, then `python3 bench/office-binary-gateway.py [N] [MB]` starts maskgate as the lab's
# peer-bench does (../shared/lab, bench/peer_lab.py), sends N messages at once (default 4), buyer →
# store, each with a .docx of ~100 KB whose printer settings unpack to MB megabytes of zeros
# (default 99), and prints the answers and the peak RSS. Round 14 (built gateway, alternating
# pairs, load 9–10), the part searched whole (two readings and their lowercase copies) against in
# 1 MiB pieces (binary-readings.ts): one file 548 / 552 MB peak against 307 / 342 (150–156 MB at
# rest); four at once 550 / 590 against 350 / 412. Swapping builds: `touch dist/src/main.js` after
# copying one in (`cp -a` keeps its old time, and `npm start` then runs the newer source, bin/start.js).
import base64, io, sys, time, zipfile
from peer_lab import bench_alias, load_peer_bench, send_at_once

peer = load_peer_bench()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
mb = int(sys.argv[2]) if len(sys.argv) > 2 else 99

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Return form B-1</w:t></w:r></w:p></w:body></w:document>')
    z.writestr("word/printerSettings/printerSettings1.bin", bytes(mb * 1024 * 1024))
docx = base64.encodebytes(buf.getvalue()).replace(b"\n", b"\r\n")
ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

gw = peer.Gateway()
try:
    alias = bench_alias(gw)
    msg = (f"From: bench@example.org\r\nTo: {alias}\r\nSubject: form\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
           f"--b1\r\nContent-Type: {ctype}; name=form.docx\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode() + docx + b"--b1--\r\n"
    time.sleep(2)
    r = send_at_once(gw, alias, msg, n)
    print(f"{n} x .docx of {len(buf.getvalue()) // 1024} KB ({mb} MB binary part) at once -> answers {r['answers']}, "
          f"maskgate RSS {r['rss_before_mb']} MB before, peak {r['peak_rss_mb']} MB ({r['seconds']} s)")
finally:
    gw.close()
