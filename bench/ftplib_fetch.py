"""Fetch files one by one over one FTP session with ftplib, for ferry's benchmark.

Usage: python3 ftplib_fetch.py HOST PORT FOLDER NAME...

Logs in anonymously, then times only the loop of RETR commands (each into a new
file in FOLDER), like the ferry scenario it is compared with, and prints the
loop's duration and the CPU time this process spent in it, both in seconds.
"""

import os
import resource
import sys
import time
from ftplib import FTP


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv):
    host, port, folder, names = argv[1], int(argv[2]), argv[3], argv[4:]
    ftp = FTP()
    ftp.connect(host, port, timeout=60)
    ftp.login()
    started, cpu = time.perf_counter(), cpu_seconds()
    for name in names:
        with open(os.path.join(folder, name), "xb") as out:
            ftp.retrbinary("RETR " + name, out.write)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    ftp.quit()
    print(elapsed, cpu)


if __name__ == "__main__":
    main(sys.argv)
