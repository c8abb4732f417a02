#!/usr/bin/env python3
# The gateway at rest, thread by thread: starts maskgate from this checkout as peer-bench does (`npm
# start`, the same configuration, a store and an order through the API), waits (25 s by default),
# then prints the process's VmRSS and its memory by kind (anonymous, malloc's [heap], file-backed)
# and, per isolate (the SMTP thread "main", each pool thread by id), the V8 heap by space,
# committed/used MB, external and ArrayBuffer memory, from bench/memory-log.mjs. Run from the project
# root after `npm run build`: `python3 bench/at-rest.py [seconds=25] [runs=1]`. HEAPSNAP_AT=ms in the
# environment also writes one heap snapshot per isolate (see memory-log.mjs).
import contextlib
import json
import os
import sys
import tempfile
import time

from peer_lab import load_peer_bench

peer = load_peer_bench()

wait = float(sys.argv[1]) if len(sys.argv) > 1 else 25
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
for run in range(runs):
    log = tempfile.mktemp(prefix="at-rest-", suffix=".jsonl")
    os.environ["MEMLOG"] = log
    os.environ["MEMLOG_MS"] = "1000"
    preload = "--import " + os.path.join(os.getcwd(), "bench/memory-log.mjs")
    os.environ["NODE_OPTIONS"] = (os.environ.get("NODE_OPTIONS", "") + " " + preload).strip()
    gw = peer.Gateway()
    try:
        t0 = time.time()
        store = gw.api("/api/v1/stores", {"slug": "bench", "name": "Bench", "mailbox": "rcpt@example.test"})
        gw.api("/api/v1/orders", {"storeId": store["id"], "number": "B-1", "buyer": {"email": "bench@example.org", "name": "Bench"},
                                  "items": [{"sku": "S", "name": "N", "category": "C", "manufacturer": "M", "unitPrice": 1, "quantity": 1}],
                                  "total": 1, "currency": "USD", "placedAt": "2026-11-20T10:00:00Z", "completedAt": None})
        time.sleep(max(0, wait - (time.time() - t0)))
        pid = gw.node_pid()
        if os.environ.get("SMAPS"):
            import subprocess
            subprocess.run([sys.executable, os.environ["SMAPS"], str(pid)])
        status = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status").read().splitlines() if ":" in l)
        rss = int(status["VmRSS"].split()[0]) // 1024
        threads = len(os.listdir(f"/proc/{pid}/task"))
        last = {}
        for line in open(log):
            r = json.loads(line)
            if r["pid"] == pid:
                last[r["th"]] = r
        print(f"run {run + 1}: VmRSS {rss} MB after {wait:.0f} s, {threads} OS threads")
        m = last.get("main", {})
        print(f"  process: anon {m.get('anon')} MB (malloc [heap] {m.get('brk')}), file-backed {m.get('file')} MB, shm {m.get('shm')} MB")
        for th, r in sorted(last.items(), key=lambda kv: str(kv[0])):
            sp = " ".join(f"{k} {r[k]}/{r[k + 'U']}" for k in ("new", "old", "code", "lo", "codelo", "newlo", "map", "trusted", "read_only") if k in r)
            print(f"  {th}: heap {r['heapT']}/{r['heapU']} MB (committed/used; {sp}), bytecode {r['bc']}, external {r['ext']}, arrayBuffers {r['ab']}")
    finally:
        pid = gw.node_pid()
        gw.close()
        # npm may end before the node it started: never leave a gateway behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.unlink(log) if os.path.exists(log) else None
