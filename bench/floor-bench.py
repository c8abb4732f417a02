#!/usr/bin/env python3
# The stack's floor against Postfix and maskgate (README "Round 26: the stack's floor"): in one run,
# on peer-bench's tiers (the lab's peer-bench module: its Postfix, its start of maskgate, its bench()
# over relay-bench.sh, its sizes, sessions and message counts), Postfix, bench/floor-relay.mjs on the
# main thread only, the same with the piscina hop (--pool), both again with the two library paths
# maskgate replaced (--maskgate-io: DATA reading, delivery's DATA), and maskgate (`npm start` of the build).
# Prints per tier and relay: end-to-end msg/s, CPU ms a message (the relay's process tree), peak RSS
# (largest process; Postfix's PSS summed over its processes beside it) and the ratio to Postfix.
# Run from the project root after `npm run build && touch dist/src/main.js`, under the lab's lock:
#
#   flock /work/wt/bench.lock python3 bench/floor-bench.py [--tiers 10k,1m] [--runs 1] [--relays postfix,floor,floor-pool,floor-io,floor-io-pool,maskgate]
#
# The floor relay runs with the node flags and environment of `npm start` (package.json), so the
# runtime is maskgate's; --plain-node runs it with none. --inline-sync adds a floor relay whose
# commit fsyncs on the main thread (SQLite's synchronous=FULL) instead of the WAL's fdatasync off it.
import argparse, json, os, shlex, shutil, signal, socket, subprocess, sys, tempfile, time
from peer_lab import load_peer_bench

peer = load_peer_bench()
PLAN = {"10k": (10240, 2000, 100, False), "10k-reuse": (10240, 2000, 20, True), "1m": (1048576, 300, 100, False)}


def start_flags(plain):
    """The environment and node flags `npm start` runs with (package.json scripts.start)."""
    if plain:
        return {}, []
    words = shlex.split(json.load(open("package.json"))["scripts"]["start"])
    at = words.index("node")
    env = dict(w.split("=", 1) for w in words[:at])
    return env, [w for w in words[at + 1:] if w.startswith("--")]


class Floor:
    def __init__(self, extra, plain):
        self.port, self.dir = peer.free_port(), tempfile.mkdtemp(prefix="floor-bench-")
        env, flags = start_flags(plain)
        self.log = open(self.dir + "/relay.log", "ab")
        self.proc = subprocess.Popen(["node", *flags, "bench/floor-relay.mjs", "--port", str(self.port), "--sink", str(peer.SINK),
                                      "--dir", self.dir, *extra], env=dict(os.environ, **env), stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        end = time.time() + 60
        while time.time() < end:
            if self.proc.poll() is not None:
                sys.exit(f"floor relay exited at start; see {self.dir}/relay.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.2)
        sys.exit("floor relay did not listen within 60 s")

    def errors(self):
        self.log.flush()
        return sum(1 for l in open(self.dir + "/relay.log") if "floor relay:" in l)

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def load():
    return open("/proc/loadavg").read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiers", default="10k,1m")
    ap.add_argument("--runs", type=int, default=1, help="relay-bench runs per tier and relay (medians)")
    ap.add_argument("--relays", default="postfix,floor,floor-pool,floor-io,floor-io-pool,maskgate")
    ap.add_argument("--plain-node", action="store_true")
    ap.add_argument("--inline-sync", action="store_true")
    a = ap.parse_args()
    relays = a.relays.split(",") + (["floor-inline"] if a.inline_sync else [])
    print(f"# floor-bench {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load {load()}, relays {','.join(relays)}", flush=True)
    pf = peer.postfix_pid() if "postfix" in relays else None
    gw = peer.Gateway() if "maskgate" in relays else None
    alias = None
    try:
        if gw:
            store = gw.api("/api/v1/stores", {"slug": "bench", "name": "Bench", "mailbox": "rcpt@example.test"})
            o = gw.api("/api/v1/orders", {"storeId": store["id"], "number": "B-1", "buyer": {"email": "bench@example.org", "name": "Bench"},
                                          "items": [{"sku": "S", "name": "N", "category": "C", "manufacturer": "M", "unitPrice": 1, "quantity": 1}],
                                          "total": 1, "currency": "USD", "placedAt": "2026-11-20T10:00:00Z", "completedAt": None})
            alias = o.get("address") or o["alias"]
        for t in a.tiers.split(","):
            size, msgs, sess, reuse = PLAN[t]
            base = None
            for r in relays:
                at = load()
                floor = None
                if r == "postfix":
                    target, pid, to = peer.PF_LISTEN, pf, "rcpt@example.test"
                elif r == "maskgate":
                    target, pid, to = f"127.0.0.1:{gw.smtp}", gw.proc.pid, alias
                else:
                    extra = {"floor": [], "floor-pool": ["--pool"], "floor-io": ["--maskgate-io"], "floor-io-pool": ["--maskgate-io", "--pool"],
                             "floor-inline": ["--inline-sync"]}[r]
                    floor = Floor(extra, a.plain_node)
                    target, pid, to = f"127.0.0.1:{floor.port}", floor.proc.pid, "rcpt@example.test"
                try:
                    st = peer.bench(target, pid, r, size, msgs, sess, reuse, a.runs, to)
                finally:
                    errors = floor.errors() if floor else 0
                    if floor:
                        floor.close()
                mps = st.get("e2e_mps")
                if r == "postfix":
                    base = mps
                ratio = f"{mps / base:.2f}" if mps and base else "-"
                pss = f", PSS sum {st.get('sut_pss_peak_mb', 0):.0f} MB" if r == "postfix" else ""
                print(f"{t} {r:<12} load {at:>5}: {mps} msg/s, {1000 * st.get('sut_cpu_s', 0) / msgs:.2f} ms CPU/msg, "
                      f"peak RSS {st.get('sut_hwm_mb', 0):.0f} MB{pss}, ratio {ratio}, all delivered {st['all_delivered']}"
                      + (f", {errors} delivery errors" if errors else ""), flush=True)
    finally:
        if gw:
            gw.close()


if __name__ == "__main__":
    main()
