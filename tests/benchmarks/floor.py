"""The memory floor of `tocds run`: a process that imports the modules named in a file (one
per line, as `tocds run` imported them) and does nothing else (tests/benchmarks/run.py,
rss_mb_floor). Prints how many could not be imported once it is done, then waits."""

import importlib
import sys
import time

with open(sys.argv[1], encoding="utf-8") as listing:
    names = listing.read().split()
failed = 0
for name in names:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001  (an optional library `tocds run` tried and went without)
        failed += 1
print(failed, flush=True)
while True:
    time.sleep(3600)
