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
