"""`python -m kolpipe_tools.bench [--quick]`; `python -m kolpipe_tools.bench stage NAME PARAMS
RESULT` runs one stage in this process (the bench starts each stage that way to measure it
alone)."""

from __future__ import annotations

import sys

from kolpipe_tools.bench.run import main, run_stage_in_child

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "stage":
        sys.exit(run_stage_in_child(*sys.argv[2:5]))
    sys.exit(main(sys.argv[1:]))
