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
import base64, io, socket, sys, threading, time, zipfile
from peer_lab import load_peer_bench

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
    store = gw.api("/api/v1/stores", {"slug": "bench", "name": "Bench", "mailbox": "rcpt@example.test"})
    o = gw.api("/api/v1/orders", {"storeId": store["id"], "number": "B-1", "buyer": {"email": "bench@example.org", "name": "Bench"},
                                  "items": [{"sku": "S", "name": "N", "category": "C", "manufacturer": "M", "unitPrice": 1, "quantity": 1}],
                                  "total": 1, "currency": "USD", "placedAt": "2026-11-20T10:00:00Z", "completedAt": None})
    alias = o.get("address") or o["alias"]
    msg = (f"From: bench@example.org\r\nTo: {alias}\r\nSubject: form\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
           f"--b1\r\nContent-Type: {ctype}; name=form.docx\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode() + docx + b"--b1--\r\n"
    pid = gw.node_pid()
    def rss():
        return {l.split(":")[0]: int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS", "VmHWM"))}
    time.sleep(2)
    before = rss()
    codes = []
    def one():
        try:
            s = socket.create_connection(("127.0.0.1", gw.smtp), 30); f = s.makefile("rb")
            def rd():
                while True:
                    l = f.readline()
                    if l[3:4] != b"-": return l
            rd(); s.sendall(b"EHLO bench.example.org\r\n"); rd()
            s.sendall(b"MAIL FROM:<bench@example.org>\r\n"); rd(); s.sendall(f"RCPT TO:<{alias}>\r\n".encode()); rd()
            s.sendall(b"DATA\r\n"); rd(); s.sendall(msg + b".\r\n"); codes.append(rd()[:3].decode()); s.sendall(b"QUIT\r\n"); s.close()
        except Exception as e:
            codes.append("err:" + type(e).__name__)
    ths = [threading.Thread(target=one) for _ in range(n)]
    t0 = time.time(); [t.start() for t in ths]
    peak = 0
    while any(t.is_alive() for t in ths) and time.time() - t0 < 300:
        peak = max(peak, rss()["VmRSS"]); time.sleep(0.05)
    [t.join(5) for t in ths]
    print(f"{n} x .docx of {len(buf.getvalue()) // 1024} KB ({mb} MB binary part) at once -> answers {dict((c, codes.count(c)) for c in set(codes))}, "
          f"maskgate RSS {before['VmRSS'] // 1024} MB before, peak {max(peak, rss()['VmHWM']) // 1024} MB ({time.time() - t0:.1f} s)")
finally:
    gw.close()
