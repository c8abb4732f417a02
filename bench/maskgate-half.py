#!/usr/bin/env python3
# The maskgate half of peer-bench: the same tiers, load generator, sink and figures as
# ../shared/lab/peer-bench.py, without driving Postfix (about half the time; for before/after runs of
# one change, not for the ratio, which needs both halves in one run). Run from the project root after
# `npm run build`, e.g. `python3 bench/maskgate-half.py --tiers 1m --runs 1`; the lab's script is
# found at ../shared/lab/peer-bench.py, or at $MASKGATE_LAB/peer-bench.py. Its rows then read
# "postfix None msg/s ... ratio 0.00".
from peer_lab import load_peer_bench

peer = load_peer_bench()

drive = peer.bench
peer.postfix_pid = lambda: "0"
peer.bench = lambda target, pid, name, *rest: {} if name == "postfix" else drive(target, pid, name, *rest)
peer.main()
