"""Fetch files one by one over one FTP session with ftplib, for ferry's benchmark.

Usage: python3 ftplib_fetch.py HOST PORT FOLDER NAME...

Logs in anonymously, then times only the loop of RETR commands (each into a new
file in FOLDER), like the ferry scenario it is compared with, and prints the
loop's duration in seconds.
"""

import os
import sys
import time
from ftplib import FTP


def main(argv):
    host, port, folder, names = argv[1], int(argv[2]), argv[3], argv[4:]
    ftp = FTP()
    ftp.connect(host, port, timeout=60)
    ftp.login()
    started = time.perf_counter()
    for name in names:
        with open(os.path.join(folder, name), "xb") as out:
            ftp.retrbinary("RETR " + name, out.write)
    elapsed = time.perf_counter() - started
    ftp.quit()
    print(elapsed)


if __name__ == "__main__":
    main(sys.argv)
