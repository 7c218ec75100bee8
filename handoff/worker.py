"""Background retry loop: answers pending_bot messages when Rasa is back, escalates old ones."""

from __future__ import annotations

import logging
import threading

from handoff.relay import retry_pending
from handoff.services import Services

log = logging.getLogger(__name__)


class RetryLoop:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.stopped = threading.Event()

    def run_once(self) -> dict[str, int]:
        return retry_pending(self.svc)

    def run_forever(self) -> None:
        while not self.stopped.wait(self.svc.config.retry_interval):
            try:
                stats = self.run_once()
                if any(stats.values()):
                    log.info("retry loop: %s", stats)
            except Exception:  # noqa: BLE001 - the loop must survive a bad pass (DB hiccup)
                log.exception("retry loop pass failed")

    def stop(self) -> None:
        self.stopped.set()
