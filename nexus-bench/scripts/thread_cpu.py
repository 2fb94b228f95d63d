#!/usr/bin/env python3
"""Per-thread CPU of running JVMs from /proc, for the agent-overhead measurements (docs/benchmarks/agent-tick.md).

  thread_cpu.py sample OUT.jsonl PID [PID ...]   once a second, one JSON line per PID: {"t": seconds since start,
                                                  "pid", "threads": {"tid comm": utime+stime ticks}} until all exit
  thread_cpu.py analyze OUT.jsonl FROM TO         per PID, % of one core over [FROM, TO) seconds of the sampling:
                                                  whole JVM, the tick thread (the busiest thread named "java" other
                                                  than the PID itself) and each thread group (C2, C1, store writer...)

Clock ticks are USER_HZ (os.sysconf('SC_CLK_TCK'), 100 on Linux): 1 tick = 10 ms, so over 300 s the resolution is
0.0033 % of a core. Reads /proc/PID/task/*/stat fields 14+15 (utime, stime); the comm may contain spaces.
"""
import json
import os
import sys
import time

HZ = os.sysconf('SC_CLK_TCK')


def threads(pid):
    out = {}
    base = f'/proc/{pid}/task'
    for tid in os.listdir(base):
        try:
            with open(f'{base}/{tid}/stat') as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index('(') + 1:s.rindex(')')]
        fields = s[s.rindex(')') + 2:].split()
        out[f'{tid} {comm}'] = int(fields[11]) + int(fields[12])
    return out


def sample(path, pids):
    t0 = time.monotonic()
    with open(path, 'w') as f:
        while True:
            alive = 0
            now = time.monotonic() - t0
            for pid in pids:
                try:
                    th = threads(pid)
                except OSError:
                    continue
                alive += 1
                f.write(json.dumps({'t': round(now, 3), 'pid': pid, 'threads': th}) + '\n')
            f.flush()
            if alive == 0:
                return
            time.sleep(1 - (time.monotonic() - t0) % 1)


def group(name):
    comm = name.split(' ', 1)[1]
    for prefix, g in (('C2 Compiler', 'C2'), ('C1 Compiler', 'C1'), ('nexus-store', 'store writer'), ('JFR', 'JFR'),
                      ('VM Thread', 'GC/VM'), ('GC', 'GC/VM'), ('VM Periodic', 'GC/VM')):
        if comm.startswith(prefix):
            return g
    return 'other'


def analyze(path, t_from, t_to):
    rows = {}
    for line in open(path):
        r = json.loads(line)
        rows.setdefault(r['pid'], []).append(r)
    for pid, rs in sorted(rows.items()):
        a = min((r for r in rs if r['t'] >= t_from), key=lambda r: r['t'])
        b = max((r for r in rs if r['t'] <= t_to), key=lambda r: r['t'])
        span = b['t'] - a['t']
        delta = {k: v - a['threads'].get(k, 0) for k, v in b['threads'].items()}
        pct = lambda ticks: 100.0 * ticks / HZ / span
        javas = [k for k in delta if k.split(' ', 1)[1] == 'java' and k.split(' ', 1)[0] != str(pid)]
        tick = max(javas, key=lambda k: delta[k]) if javas else None
        groups = {}
        for k, v in delta.items():
            if k == tick:
                continue
            groups[group(k)] = groups.get(group(k), 0) + v
        parts = ' '.join(f'{g} {pct(v):.3f}' for g, v in sorted(groups.items()))
        print(f'pid {pid} [{a["t"]:.0f}, {b["t"]:.0f}) s: whole JVM {pct(sum(delta.values())):.3f} % core, '
              f'tick thread {pct(delta.get(tick, 0)):.3f} % ({10.0 * pct(delta.get(tick, 0)):.2f} ms/s); {parts}')


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'sample':
        sample(sys.argv[2], [int(p) for p in sys.argv[3:]])
    elif len(sys.argv) == 5 and sys.argv[1] == 'analyze':
        analyze(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)
