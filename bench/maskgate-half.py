#!/usr/bin/env python3
# The maskgate half of peer-bench: the same tiers, load generator, sink and figures as
# ../shared/lab/peer-bench.py, without driving Postfix (about half the time; for before/after runs of
# one change, not for the ratio, which needs both halves in one run). Run from the project root after
# `npm run build`, e.g. `python3 bench/maskgate-half.py --tiers 1m --runs 1`; the lab's script is
# found at ../shared/lab/peer-bench.py, or at $MASKGATE_LAB/peer-bench.py. Its rows then read
# "postfix None msg/s ... ratio 0.00".
import importlib.util
import os
import sys

lab = os.environ.get("MASKGATE_LAB") or os.path.join(os.getcwd(), "..", "shared", "lab")
spec = importlib.util.spec_from_file_location("peer_bench", os.path.join(lab, "peer-bench.py"))
if spec is None or spec.loader is None:
    sys.exit(f"peer-bench.py not found in {lab}: set MASKGATE_LAB")
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)

drive = peer.bench
peer.postfix_pid = lambda: "0"
peer.bench = lambda target, pid, name, *rest: {} if name == "postfix" else drive(target, pid, name, *rest)
peer.main()
