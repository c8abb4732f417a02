# Memory with N sessions x MB of a text body at once (plain text, html or quoted-printable) against the
# built maskgate of the cwd; peak RSS and answers, like peer-bench's memory tier. Run from a project root
# after `npm run build && touch dist/src/main.js`, under the bench lock (README "Round 26: large text bodies"):
#   flock /work/wt/bench.lock python3 bench/text-memory.py MB SESSIONS KIND     (KIND: plain | qp | html)
# plain: text/plain 7bit; qp: text/plain quoted-printable, UTF-8 `été` every other line; html: text/html 7bit;
# also csv (a text/csv attachment), eml (a message/rfc822 part), parts (the text in many small parts),
# b64text (text/plain in base64).
import sys, os, time, random, string
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
from peer_lab import bench_alias, load_peer_bench, send_at_once
peer = load_peer_bench()
mb = int(sys.argv[1]); sessions = int(sys.argv[2]); kind = sys.argv[3]
gw = peer.Gateway()
try:
    alias = bench_alias(gw)
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
    r = send_at_once(gw, alias, msg, sessions, timeout=900, settle=1)
    print(f"{kind} {sessions} x {len(msg)/1e6:.1f} MB: answers {r['answers']}, RSS before {r['rss_before_mb']} MB, peak {r['peak_rss_mb']} MB, {r['seconds']} s")
finally:
    gw.close()
