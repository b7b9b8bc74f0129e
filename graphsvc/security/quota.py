"""The per-key daily read quota (issue #18): distinct persons a key may read in a day.

A valid key is the misuse the rate limit does not stop: 100 requests a second reads the whole
register in hours, and an officer looking up an ex-partner reads one. Each role has a quota of
distinct persons read per day (the London calendar day, contract section 9): ``investigator``
and ``offender_manager`` 3,000 (a network view names every person in it, up to a few hundred),
``case_system`` 20,000 (its checks), ``admin`` 3,000, set by
``GRAPHSVC_READ_QUOTAS`` (``role=n,...``). An answer is charged with the person ids it names (the
ids its audit entry holds) before it leaves; an answer that would take the key past its quota
is refused with 429 ``quota_exceeded`` instead, not counted, and audited as ``access_denied``
with the reason, which the anomaly list shows to the agency's admins
(:mod:`graphsvc.security.anomalies`). The count is kept in the graph, so every process of the
service shares it, and the charge is made in the answer's audit transaction, under the audit
head's lock (:mod:`graphsvc.repository.quota`): the entry and its charge commit together, and a
group commit's batch of reads costs two queries more, not a transaction each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from graphsvc.errors import GraphsvcError, InvalidInput
from graphsvc.repository import quota as store
from graphsvc.security.keys import Principal
from graphsvc.security.policy import Role
from loaders.times import LONDON, local_day

__all__ = ["DEFAULT_QUOTAS", "QuotaExceeded", "parse_quotas", "read_charge", "today"]

DEFAULT_QUOTAS: Mapping[str, int] = {
    Role.INVESTIGATOR.value: 3_000,
    Role.OFFENDER_MANAGER.value: 3_000,
    Role.CASE_SYSTEM.value: 20_000,
    Role.ADMIN.value: 3_000,
}


class QuotaExceeded(GraphsvcError):
    """The key has read its quota of distinct persons today; ``retry_after``: seconds to the
    next day."""

    code = "quota_exceeded"
    status = 429

    def __init__(self, quota: int, count: int, retry_after: int) -> None:
        super().__init__(
            f"this key has read its quota of {quota} distinct persons today; the refusal is in the agency "
            "admins' audit and anomaly list",
            {"quota": quota, "would_be": count, "retry_after": retry_after},
        )
        self.quota = quota
        self.count = count
        self.retry_after = retry_after


def parse_quotas(text: str | None) -> dict[str, int]:
    """``role=n,role=n`` over :data:`DEFAULT_QUOTAS`; :class:`InvalidInput` naming the fault."""
    out = dict(DEFAULT_QUOTAS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        role, _, number = part.partition("=")
        role = role.strip()
        if role not in out or not number.strip().isdigit() or int(number) < 1:
            raise InvalidInput(f"GRAPHSVC_READ_QUOTAS: {part.strip()!r} is not role=n with a known role and n >= 1")
        out[role] = int(number)
    return out


def today(now: dt.datetime | None = None) -> tuple[str, int]:
    """The London day (``YYYY-MM-DD``) and the whole seconds until the next one begins."""
    instant = now or dt.datetime.now(dt.UTC)
    day = local_day(instant)
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    return day.isoformat(), max(1, int((start - instant).total_seconds()))


def read_charge(who: Principal, person_ids: Iterable[str], quotas: Mapping[str, int]) -> store.Charge | None:
    """The charge of an answer naming ``person_ids`` to ``who``'s day (today in London), against
    the role's quota; ``None`` when it names nobody. The audit append makes
    it in the answer entry's own transaction (:func:`graphsvc.security.audit.append_entry`)."""
    ids = tuple(sorted({str(i) for i in person_ids}))
    if not ids:
        return None
    quota = int(quotas.get(who.role.value, DEFAULT_QUOTAS[Role.INVESTIGATOR.value]))
    return store.Charge(who.key_id, today()[0], ids, quota)
