"""How `urgent serve` sizes the web server, shared with `urgent bench intake`."""

from __future__ import annotations

import os

# Python runs one thread at a time per process: a process per core carries the load, one
# more covers a process waiting on the database, and a few threads in each keep slow
# clients and PDF downloads from holding a whole process. Measured with `urgent bench
# intake`, this beats two processes per core, which spend their time switching.
WEB_WORKERS = (os.cpu_count() or 1) + 1
WEB_THREADS = 4
