"""Run a program and report its wall and CPU time, for ferry's benchmark.

Usage: python3 rusage.py PROGRAM [ARG...]

Runs PROGRAM with this process's stdin, stdout and stderr and waits for it (a
SIGTERM is passed on to it). Then
prints `rusage WALL_SECONDS CPU_SECONDS` as the last line of stderr, where the CPU
time is the user + system time of PROGRAM and of every process it waited for
(getrusage RUSAGE_CHILDREN), and exits with PROGRAM's exit code. The wall time
starts at the spawn, so this script's own start-up is not in it.
"""

import resource
import signal
import subprocess
import sys
import time


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv):
    # What ran in this process before python did (a pyenv shim's helpers) is not counted.
    before = children_cpu()
    started = time.perf_counter()
    child = subprocess.Popen(argv[1:])
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    code = child.wait()
    wall = time.perf_counter() - started
    cpu = children_cpu() - before
    print(f"rusage {wall:.6f} {cpu:.6f}", file=sys.stderr)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
