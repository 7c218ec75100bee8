"""`python -m handoff.assess` (same as `python -m handoff assess`)."""

import sys

from .cli import run

raise SystemExit(run(sys.argv[1:], sys.stdin, sys.stdout))
