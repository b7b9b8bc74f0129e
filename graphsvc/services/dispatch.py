"""The alert dispatcher: each alert POSTed, signed, to its subscription's URL (contract section
6, docs/alerts.md).

**One per deployment.** Every served worker starts a :class:`Dispatcher` (gunicorn's
``post_worker_init``), and each tries for the one lease in the graph (``(:Dispatcher {name:
'alerts'})``, :func:`graphsvc.repository.alerts.take_lease`) every poll. Only the holder
delivers; it renews the lease each poll, and when it dies (kill -9, a lost machine) another
worker or replica takes the lease once it has run out (``GRAPHSVC_ALERT_LEASE_S``, 10 s).

**In order, and nobody waits on a slow receiver.** Each poll reads, for each subscription not
already being delivered to, its oldest alert not delivered nor given up, when it is due, and
hands it to a thread of a pool. That thread delivers it, then reads the subscription's next one
and goes on, until none is due, one fails (it waits for its retry) or the lease may have gone: a
subscription's next alert is never sent before the one before it is delivered or given up, a
busy subscription does not wait for the next poll, and a receiver that hangs holds only its own
subscription's thread (each POST times out after ``GRAPHSVC_ALERT_TIMEOUT_S``).

**At least once.** An alert is marked delivered after a 2xx answer; a crash in between sends it
again, with the same id. Anything else is retried with exponential backoff and full jitter (1 s
doubling to at most 10 minutes), for ``GRAPHSVC_ALERT_RETRY_H`` hours (48 by default, at least
24), then given up: kept, marked failed, served by ``GET /alerts``, and the next one goes.

**What is sent** is the stored alert shown to the subscription's key (role redaction, then
need-to-know between agencies), as JSON, signed ``X-Graphsvc-Signature: sha256=<HMAC-SHA256 of
the body bytes keyed with the secret>``. Every attempt is audited as a ``disclosure`` before the
POST leaves (the actor is the subscription's key). No redirect is followed, and with no
``GRAPHSVC_ALERT_HOSTS`` a host must resolve to loopback addresses only, checked at each attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import requests

from graphsvc.config import Settings
from graphsvc.errors import InvalidInput
from graphsvc.graph.db import Database
from graphsvc.repository import alerts as store
from graphsvc.security import audit as audit_log
from graphsvc.security.redaction import person_ids_in
from graphsvc.security.visibility import shown_to
from graphsvc.services.alerts import OVERDUE_SWEEP_S, check_url, is_loopback_host, raise_overdue
from loaders.times import today

__all__ = ["Dispatcher", "signature", "backoff_s", "SIGNATURE_HEADER", "ID_HEADER"]

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Graphsvc-Signature"
ID_HEADER = "X-Graphsvc-Alert-Id"
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 600.0
#: alerts read per poll (one per subscription)
DUE_PER_POLL = 64


def signature(secret: str, body: bytes) -> str:
    """The ``X-Graphsvc-Signature`` of ``body``: ``sha256=`` and the hex HMAC-SHA256 keyed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def backoff_s(attempts: int, rng: random.Random | None = None) -> float:
    """How long to wait after ``attempts`` failed attempts: full jitter over an exponential
    ceiling (``BACKOFF_BASE_S`` doubling, at most ``BACKOFF_CAP_S``)."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** min(max(attempts - 1, 0), 30))
    return max(0.2, (rng or random).uniform(ceiling / 2, ceiling))


def _resolves_to_loopback(host: str) -> bool:
    if is_loopback_host(host):
        return True
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(found) and all(is_loopback_host(str(a[4][0])) for a in found)


class Dispatcher:
    """Delivers alerts due; see the module's docs. ``start()`` runs it in a daemon thread every
    ``settings.alert_poll_s``; :meth:`poll` is one round (tests and the CLI call it directly)."""

    def __init__(self, db: Database, settings: Settings, *, holder: str | None = None, threads: int = 8) -> None:
        self.db = db
        self.settings = settings
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="graphsvc-alert")
        self._busy: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="graphsvc-alert-dispatcher", daemon=True)
        self._held_until = 0.0
        self._swept_at: float | None = None
        self._http = requests.Session()
        self._http.trust_env = False  # no proxy from the environment: the URL is the one checked

    def start(self) -> Dispatcher:
        if self.settings.alert_poll_s > 0:
            self._thread.start()
        return self

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def idle(self) -> bool:
        with self._lock:
            return not any(not f.done() for f in self._busy.values())

    def poll(self) -> int:
        """Take or keep the lease; when held, send each subscription's next due alert (and, on
        that subscription's thread, the ones after it). How many subscriptions were sent to."""
        if not store.take_lease(self.db, self.holder, self.settings.alert_lease_s):
            self._held_until = 0.0
            return 0
        # deliveries go on while the lease surely holds: half its length after it was taken
        self._held_until = time.monotonic() + self.settings.alert_lease_s / 2
        if self._swept_at is None or time.monotonic() - self._swept_at >= OVERDUE_SWEEP_S:
            self._swept_at = time.monotonic()
            raise_overdue(self.db, today())  # notification_overdue: time, not a write, raises it
        with self._lock:
            self._busy = {s: f for s, f in self._busy.items() if not f.done()}
            busy = sorted(self._busy)
        due = store.due(self.db, busy=busy, limit=DUE_PER_POLL)
        with self._lock:
            for a in due:
                self._busy[a["subscription_id"]] = self._pool.submit(self._deliver_logged, a)
        return len(due)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.alert_poll_s):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - Neo4j away now: the alerts wait in the graph
                log.warning("the alert dispatcher could not read the alerts due", exc_info=True)

    def _deliver_logged(self, alert: Mapping[str, Any]) -> None:
        """Deliver ``alert``, then the subscription's next ones, in order (see the module's docs)."""
        current: Mapping[str, Any] | None = alert
        while current is not None and not self._stop.is_set():
            try:
                if not self.deliver(current) or time.monotonic() > self._held_until:
                    return
                nxt = store.due(self.db, busy=[], limit=1, only=current["subscription_id"])
            except Exception:  # noqa: BLE001 - not marked: it is due again at the next poll
                log.warning("an alert delivery failed before its outcome was recorded", exc_info=True,
                            extra={"alert_id": current["id"]})
                return
            current = nxt[0] if nxt else None

    def deliver(self, alert: Mapping[str, Any]) -> bool:
        """One attempt at one alert (a row of :func:`graphsvc.repository.alerts.due`); whether it
        was delivered. The outcome is recorded on the alert."""
        shown = shown_to(self.db, json.loads(alert["body"]), alert["role"], alert["agency"])
        body = json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        error = self._refused(alert["url"])
        status: int | None = None
        if error is None:
            audit_log.append_entry(
                self.db, actor=f"{alert['key_name']}#{alert['key_id']}", role=alert["role"], action="disclosure",
                purpose=f"alert {shown.get('rule')} to subscription {alert['subscription_id']}",
                query={"op": "alert_delivery", "alert_id": alert["id"], "subscription_id": alert["subscription_id"],
                       "host": urlsplit(alert["url"]).hostname, "attempt": int(alert["attempts"] or 0) + 1},
                person_ids=person_ids_in(shown), status="sent", actor_agency=alert["agency"])
            try:
                answer = self._http.post(
                    alert["url"], data=body, allow_redirects=False,
                    timeout=(min(2.0, self.settings.alert_timeout_s), self.settings.alert_timeout_s),
                    headers={"Content-Type": "application/json", ID_HEADER: alert["id"],
                             SIGNATURE_HEADER: signature(alert["secret"], body), "User-Agent": "graphsvc-alerts"})
                status = answer.status_code
                answer.close()
                if not 200 <= status < 300:
                    error = f"the receiver answered {status}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
        delivered = error is None
        attempts = int(alert["attempts"] or 0) + 1
        now = dt.datetime.now(dt.timezone.utc)
        created = alert["created_at"]
        failed = not delivered and created is not None and now - created > dt.timedelta(hours=self.settings.alert_retry_h)
        nxt = None if delivered or failed else (now + dt.timedelta(seconds=backoff_s(attempts))).isoformat()
        store.mark_attempt(self.db, alert["id"], delivered=delivered, failed=failed, error=error, next_attempt_at=nxt)
        if failed:
            log.error("an alert was given up after its retry window", extra={"alert_id": alert["id"], "error": error})
        return delivered

    def _refused(self, url: str) -> str | None:
        """Why ``url`` may not be sent to now (the subscription's check, again; with no allow-list
        the host must resolve to loopback addresses), or ``None``."""
        try:
            check_url(url, self.settings.alert_hosts)
        except InvalidInput as exc:
            return exc.message
        host = urlsplit(url).hostname or ""
        if not self.settings.alert_hosts and not _resolves_to_loopback(host):
            return f"url: host {host} does not resolve to loopback addresses only"
        return None
