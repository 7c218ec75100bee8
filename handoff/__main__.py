"""`python -m handoff …`: serve, worker, db upgrade, create-agent, setup-demo, assess."""

from handoff.cli import main

raise SystemExit(main())
