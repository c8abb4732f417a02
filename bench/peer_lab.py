# The lab's peer-bench module (../shared/lab/peer-bench.py, or $MASKGATE_LAB/peer-bench.py), loaded
# for the benches that reuse its tiers, its start of maskgate and its figures (maskgate-half.py,
# at-rest.py). Run those from the project root.
import importlib.util
import os
import sys


def load_peer_bench():
    """peer-bench.py as a module; exits with a sentence when it is not where it is looked for."""
    lab = os.environ.get("MASKGATE_LAB") or os.path.join(os.getcwd(), "..", "shared", "lab")
    path = os.path.join(lab, "peer-bench.py")
    spec = importlib.util.spec_from_file_location("peer_bench", path) if os.path.isfile(path) else None
    if spec is None or spec.loader is None:
        sys.exit(f"peer-bench.py not found in {lab}: set MASKGATE_LAB")
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    return peer


def bench_alias(gw):
    """The buyer's alias of one store and order made through the API of a started peer-bench Gateway,
    as peer-bench's main() makes them: mail from bench@example.org to it goes buyer -> store."""
    store = gw.api("/api/v1/stores", {"slug": "bench", "name": "Bench", "mailbox": "rcpt@example.test"})
    o = gw.api("/api/v1/orders", {"storeId": store["id"], "number": "B-1", "buyer": {"email": "bench@example.org", "name": "Bench"},
                                  "items": [{"sku": "S", "name": "N", "category": "C", "manufacturer": "M", "unitPrice": 1, "quantity": 1}],
                                  "total": 1, "currency": "USD", "placedAt": "2026-11-20T10:00:00Z", "completedAt": None})
    return o.get("address") or o["alias"]


def send_at_once(gw, alias, msg, sessions, timeout=300, settle=0):
    """Sends the message bytes `msg` (dot-stuffed, CRLF) from `sessions` SMTP sessions at once, one
    message each, as peer-bench's memory tier does, sampling the gateway's RSS every 0.05 s until
    every session was answered or `timeout` seconds passed, then `settle` seconds more for what
    follows the answers (VmHWM keeps their peak). Returns {answers: {code: count},
    rss_before_mb, peak_rss_mb (VmHWM included), seconds}."""
    import socket, threading, time
    pid = gw.node_pid()
    def rss():
        return {l.split(":")[0]: int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS", "VmHWM"))}
    codes = []
    def one():
        try:
            s = socket.create_connection(("127.0.0.1", gw.smtp), timeout); f = s.makefile("rb")
            def rd():
                while True:
                    l = f.readline()
                    if l[3:4] != b"-": return l
            rd(); s.sendall(b"EHLO bench.example.org\r\n"); rd()
            s.sendall(b"MAIL FROM:<bench@example.org>\r\n"); rd(); s.sendall(f"RCPT TO:<{alias}>\r\n".encode()); rd()
            s.sendall(b"DATA\r\n"); rd(); s.sendall(msg + b".\r\n"); codes.append(rd()[:3].decode()); s.sendall(b"QUIT\r\n"); s.close()
        except Exception as e:
            codes.append("err:" + type(e).__name__)
    before = rss()
    ths = [threading.Thread(target=one) for _ in range(sessions)]
    t0 = time.time(); [t.start() for t in ths]; peak = 0
    while any(t.is_alive() for t in ths) and time.time() - t0 < timeout:
        peak = max(peak, rss()["VmRSS"]); time.sleep(0.05)
    [t.join(5) for t in ths]
    seconds = time.time() - t0
    time.sleep(settle)
    return {"answers": {c: codes.count(c) for c in set(codes)}, "rss_before_mb": before["VmRSS"] // 1024,
            "peak_rss_mb": max(peak, rss()["VmHWM"]) // 1024, "seconds": round(seconds, 1)}
