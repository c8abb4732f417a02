#!/usr/bin/env python3
# Where the gateway's resident memory is, by mapping: samples /proc/PID/smaps of the gateway started
# from ROOT (`node … bin/start.js` whose working directory is ROOT) every 0.1 s for SECONDS, and on
# SIGTERM or at the end prints the breakdown at the highest RSS seen: the main malloc arena
# (`[heap]`, brk), glibc's thread arenas (a read-write mapping at a 64 MiB boundary followed by the
# reserved rest of its 64 MiB: each pool thread's, libuv's and V8's helpers' malloc), anonymous
# mappings by size (V8's pages are under 1 MiB; adjacent ones merge), file-backed. TIMELINE=1 also
# prints one line per sample. Beside a bench (round 22, README "Speed"):
#   python3 bench/arena-sampler.py "$PWD" 300 > /tmp/arenas.log & SP=$!
#   python3 bench/maskgate-half.py --tiers 1m --runs 1; kill $SP
import sys, time, re, os, subprocess, collections, signal
ROOT = os.path.realpath(sys.argv[1]); DUR = float(sys.argv[2])
def find_pid():
    out = subprocess.run("pgrep -f '^node .*bin/start.js'", shell=True, capture_output=True, text=True).stdout.split()
    for p in out:
        try:
            if os.path.realpath(f"/proc/{p}/cwd") == ROOT: return p
        except OSError: pass
    return None
ARENA = 64 << 20
def sample(pid):
    maps = []; cur = None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                parts = line.split(); name = parts[5] if len(parts) > 5 else ''
                a, b = (int(x, 16) for x in parts[0].split('-'))
                cur = [a, b, parts[1], name, 0]; maps.append(cur)
            elif line.startswith('Rss:'):
                cur[4] = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    cats = collections.Counter()
    for i, (a, b, perm, name, rss) in enumerate(maps):
        sz = (b - a) >> 10
        if name == '[heap]': k = 'brk-heap'
        elif name.startswith('/'): k = 'file'
        elif name: k = name
        elif a % ARENA == 0 and perm.startswith('rw') and i + 1 < len(maps) and maps[i+1][0] == b and maps[i+1][2].startswith('---') and maps[i+1][1] - a == ARENA: k = 'thread-arena'
        elif perm.startswith('---'): k = 'reserved'
        else: k = 'anon>=64M' if sz >= 65536 else ('anon-8M..64M' if sz >= 8192 else ('anon-1M..8M' if sz >= 1024 else 'anon<1M'))
        cats[k] += rss
    arenas = sorted(((m[4] >> 10) for i, m in enumerate(maps) if m[0] % ARENA == 0 and m[2].startswith('rw') and m[3] == '' and i + 1 < len(maps) and maps[i+1][0] == m[1] and maps[i+1][2].startswith('---')), reverse=True)
    big = sorted((((m[1]-m[0]) >> 20, m[4] >> 10) for m in maps if m[3] == '' and (m[1]-m[0]) >= (1 << 20) and m[4] > 0 and m[0] % ARENA != 0), reverse=True)
    return cats, arenas, big
class Stop(Exception): pass
def _h(*a): raise Stop()
signal.signal(signal.SIGTERM, _h)
pid = None; end = time.time() + DUR
best = None; bestrss = 0; rest = None
try:
    while time.time() < end:
        if pid is None or not os.path.exists(f"/proc/{pid}"):
            pid = find_pid(); rest = None
            if pid is None: time.sleep(0.2); continue
        s = sample(pid)
        if s is None: continue
        rss = sum(s[0].values())
        if rest is None: rest = s
        if os.environ.get('TIMELINE'): print('TL', round(time.time() % 1000, 1), rss // 1024, 'brk', s[0].get('brk-heap', 0) // 1024, 'arenas', s[1][:3], 'v8', s[0].get('anon<1M', 0) // 1024, 'big', s[0].get('anon-1M..8M', 0) // 1024 + s[0].get('anon-8M..64M', 0) // 1024, flush=True)
        if rss > bestrss: bestrss, best = rss, s
        time.sleep(0.1)
except Stop:
    pass
if best is None: print("no sample"); sys.exit()
print("peak RSS MB", bestrss // 1024)
for k, v in best[0].most_common(): print(f"  {k:16s} {v//1024:6d} MB   (first sample {rest[0].get(k,0)//1024} MB)")
print("  thread arenas MB at peak:", best[1], " first:", rest[1])
print("  big anon maps (sizeMB, rssMB) at peak:", best[2][:30])
print("  first:", rest[2][:30])
