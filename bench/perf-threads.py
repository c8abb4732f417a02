#!/usr/bin/env python3
# Per-thread CPU of the gateway from a perf recording, and each thread's heaviest frames (README
# "Round 22: CPU a message"). Record one tier a run, from when the gateway listens until it exits:
#   NODE_OPTIONS=--perf-basic-prof-only-functions python3 bench/maskgate-half.py --tiers 1m --runs 1 &
#   perf record -e cpu-clock -g -p <gateway pid> -o /tmp/g.data      # once it listens; ends with it
# then `python3 bench/perf-threads.py /tmp/g 300 40` (the recording /tmp/g.data, the tier's
# messages, how many frames a thread): each thread's share and ms a message (its samples over the
# run, start-up included, ÷ the messages), then for each busy thread the frames by inclusive and
# by self time. perf reads the JavaScript names from /tmp/perf-<pid>.map, which must still be there.
# reads perf script output of PREFIX.data; prints per-thread share, then per thread top inclusive/self symbols
import sys, subprocess, collections, re
pre = sys.argv[1]; nmsg = float(sys.argv[2]) if len(sys.argv) > 2 else 0; top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
hz_ms = None
p = subprocess.Popen(["perf", "script", "-i", pre + ".data", "-F", "comm,tid,period,ip,sym,dso"], stdout=subprocess.PIPE, text=True, errors="replace")
tot = collections.Counter(); comm = {}
incl = collections.defaultdict(collections.Counter); selfc = collections.defaultdict(collections.Counter)
period = collections.Counter()
cur = None; stack = []
def clean(s):
    s = s.strip()
    s = re.sub(r'^(JS|LazyCompile|Function|Builtin|Script|Eval):[*~^+]?', '', s)
    s = re.sub(r'file:///\S*/(node_modules/)', r'\1', s)
    s = re.sub(r'file:///\S*/dist/', 'dist/', s)
    s = re.sub(r'/\S*/node_modules/', 'node_modules/', s)
    s = re.sub(r'\+0x[0-9a-f]+$', '', s)
    return s
def flush():
    if cur is None: return
    tid = cur
    tot[tid] += 1
    if stack: selfc[tid][stack[0]] += 1
    for s in set(stack): incl[tid][s] += 1
for line in p.stdout:
    if not line.strip():
        flush(); cur = None; stack = []; continue
    if not line.startswith((' ', '\t')):
        m = re.match(r'\s*(.+?)\s+(\d+)\s+(\d+)\s*$', line.rstrip())
        if m: cur = int(m.group(2)); comm[cur] = m.group(1); period[cur] += int(m.group(3))
        else:
            parts = line.split(); cur = int(parts[-2]) if len(parts) > 1 and parts[-2].isdigit() else -1
        continue
    l = line.strip()
    m = re.match(r'([0-9a-f]+)\s+(.*?)\s+\((.*)\)$', l)
    if m:
        sym = m.group(2); dso = m.group(3)
        if sym == '[unknown]': sym = '[unknown ' + dso.split('/')[-1] + ']'
        stack.append(clean(sym))
flush()
alls = sum(tot.values())
ms = lambda n, tid: period[tid] / tot[tid] / 1e6 * n if tot[tid] else 0
print(f"total samples {alls}, {sum(period.values())/1e9:.1f} s")
for tid, n in tot.most_common():
    if n < alls * 0.005: continue
    print(f"tid {tid} {comm.get(tid)}: {n} samples {100*n/alls:.1f}% {ms(n,tid)/1000:.2f} s" + (f" {ms(n,tid)/nmsg:.2f} ms/msg" if nmsg else ""))
for tid, n in tot.most_common(8):
    if n < alls * 0.03: continue
    print(f"\n===== tid {tid} {comm.get(tid)} {100*n/alls:.1f}%")
    for title, c in (("inclusive", incl[tid]), ("self", selfc[tid])):
        print(f"--- {title}")
        for s, k in c.most_common(top):
            print(f"{100*k/n:6.1f}% {ms(k,tid)/nmsg if nmsg else ms(k,tid):8.2f}{' ms/msg' if nmsg else ' ms'}  {s[:150]}")
