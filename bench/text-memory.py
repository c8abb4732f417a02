# Memory with N sessions x MB of a text body at once (plain text, html or quoted-printable) against the
# built maskgate of the cwd; peak RSS and answers, like peer-bench's memory tier. Run from a project root
# after `npm run build && touch dist/src/main.js`, under the bench lock (README "Round 26: large text bodies"):
#   flock /work/wt/bench.lock python3 bench/text-memory.py MB SESSIONS KIND     (KIND: plain | qp | html)
# plain: text/plain 7bit; qp: text/plain quoted-printable, UTF-8 `été` every other line; html: text/html 7bit.
import sys, os, socket, threading, time, random, string
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
from peer_lab import load_peer_bench
peer = load_peer_bench()
mb = int(sys.argv[1]); sessions = int(sys.argv[2]); kind = sys.argv[3]
gw = peer.Gateway()
try:
    store = gw.api("/api/v1/stores", {"slug": "bench", "name": "Bench", "mailbox": "rcpt@example.test"})
    o = gw.api("/api/v1/orders", {"storeId": store["id"], "number": "B-1", "buyer": {"email": "bench@example.org", "name": "Bench"},
        "items": [{"sku": "S", "name": "N", "category": "C", "manufacturer": "M", "unitPrice": 1, "quantity": 1}],
        "total": 1, "currency": "USD", "placedAt": "2026-11-20T10:00:00Z", "completedAt": None})
    alias = o.get("address") or o["alias"]
    pid = gw.node_pid()
    rss = lambda: {l.split(":")[0]: int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS", "VmHWM"))}
    words = [''.join(random.choices(string.ascii_lowercase, k=random.randint(2, 9))) for _ in range(500)]
    line = lambda: ' '.join(random.choices(words, k=12))
    lines = []; n = 0
    while n < mb * 1024 * 1024:
        l = line(); lines.append(l); n += len(l) + 2
    if kind == "html":
        body = "<html><body>" + "\r\n".join(f"<p>{l}</p>" for l in lines) + "</body></html>\r\n"; ctype = "text/html; charset=utf-8"; cte = "7bit"
    elif kind == "qp":
        body = "\r\n".join(l + " =C3=A9t=C3=A9=" if i % 2 else l for i, l in enumerate(lines)) + "\r\n"; ctype = "text/plain; charset=utf-8"; cte = "quoted-printable"
    elif kind in ("csv", "eml", "parts", "b64text"):
        text = "\r\n".join(lines) + "\r\n"
        if kind == "csv":
            inner = "Content-Type: text/csv; name=orders.csv\r\nContent-Disposition: attachment; filename=orders.csv\r\n\r\n" + text.replace(" ", ",")
        elif kind == "b64text":
            import base64
            inner = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(text.encode()).decode().replace("\n", "\r\n")
        elif kind == "eml":
            inner = "Content-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\nTo: y@example.org\r\nSubject: fwd\r\nContent-Type: text/plain\r\n\r\n" + text
        else:
            chunk = "\r\n".join(lines[:8]) + "\r\n"
            inner = "\r\n--b1\r\n".join("Content-Type: text/plain\r\n\r\n" + chunk for _ in range(len(lines) // 8))
        body = "--b1\r\nContent-Type: text/plain\r\n\r\nsee\r\n--b1\r\n" + inner + "\r\n--b1--\r\n"
        ctype = "multipart/mixed; boundary=b1"; cte = "7bit"
    else:
        body = "\r\n".join(lines) + "\r\n"; ctype = "text/plain; charset=utf-8"; cte = "7bit"
    msg = (f"From: bench@example.org\r\nTo: {alias}\r\nSubject: long text\r\nMIME-Version: 1.0\r\nContent-Type: {ctype}\r\n"
           f"Content-Transfer-Encoding: {cte}\r\n\r\n" + body).encode()
    msg = msg.replace(b"\r\n.", b"\r\n..")
    before = rss(); codes = []
    def one():
        try:
            s = socket.create_connection(("127.0.0.1", gw.smtp), 600); f = s.makefile("rb")
            def rd():
                while True:
                    l = f.readline()
                    if l[3:4] != b"-": return l
            rd(); s.sendall(b"EHLO bench.example.org\r\n"); rd()
            s.sendall(b"MAIL FROM:<bench@example.org>\r\n"); rd(); s.sendall(f"RCPT TO:<{alias}>\r\n".encode()); rd()
            s.sendall(b"DATA\r\n"); rd(); s.sendall(msg + b".\r\n"); codes.append(rd()[:3].decode()); s.sendall(b"QUIT\r\n"); s.close()
        except Exception as e:
            codes.append("err:" + type(e).__name__)
    ths = [threading.Thread(target=one) for _ in range(sessions)]
    t0 = time.time(); [t.start() for t in ths]; peak = 0
    while any(t.is_alive() for t in ths) and time.time() - t0 < 900:
        peak = max(peak, rss()["VmRSS"]); time.sleep(0.05)
    [t.join(5) for t in ths]
    secs = time.time() - t0
    time.sleep(1)
    print(f"{kind} {sessions} x {len(msg)/1e6:.1f} MB: answers { {c: codes.count(c) for c in set(codes)} }, RSS before {before['VmRSS']//1024} MB, peak {max(peak, rss()['VmHWM'])//1024} MB, {secs:.1f} s")
finally:
    gw.close()
