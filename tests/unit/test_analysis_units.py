"""Pure analysis functions (no database): Mann-Kendall, clusters, identity groups, risk, queries."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.clusters import clusters, incident_identifier_graph
from graphsvc.analysis.identity import identity_group, identity_groups
from graphsvc.config import Settings
from graphsvc.analysis.matching import lucene_query, normalise_subject
from graphsvc.analysis.risk import risk_score
from graphsvc.analysis.trend import mann_kendall, weekly_counts


def test_mann_kendall_matches_the_textbook_statistic() -> None:
    r = mann_kendall([1, 2, 3, 4, 5])
    assert (r.s, r.trend) == (10, "rising") and r.tau == 1.0
    assert abs(r.z - 9 / (50 / 3) ** 0.5) < 1e-9  # var = n(n-1)(2n+5)/18 = 50/3
    assert mann_kendall([5, 4, 3, 2, 1]).trend == "falling"
    assert mann_kendall([1, 2, 3, 4]).trend == "stable"  # four points cannot reach p < 0.05
    tied = mann_kendall([1, 1, 1, 2, 2, 2])
    assert tied.s == 9 and abs(tied.z - 8 / 21 ** 0.5) < 1e-9  # tie-corrected variance (510 - 2*66)/18
    assert tied.trend == "stable"  # p = 0.08
    assert mann_kendall([3, 3, 3, 3, 3]).note == "all values equal"
    assert mann_kendall([1, 2]).note is not None
    assert mann_kendall(list(range(5000))).n == 1000  # long series reduced to block means
    with pytest.raises(ValueError):
        mann_kendall([1, 2, 3], alpha=0)


@pytest.mark.parametrize("n", [7, 100, 300])  # 300: past the cached pair masks
def test_mann_kendall_s_is_the_sum_over_every_later_pair(n: int) -> None:
    import random

    rng = random.Random(n)
    values = [rng.choice([1, 1, 2, 4, 4, 5, 7]) for _ in range(n)]
    brute = sum((values[j] > values[i]) - (values[j] < values[i]) for i in range(n) for j in range(i + 1, n))
    assert mann_kendall(values).s == brute
    assert mann_kendall(values[::-1]).s == -brute


def test_weekly_counts() -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    assert weekly_counts([t0, t0 + dt.timedelta(days=1), t0 + dt.timedelta(days=8)]) == [2, 1]
    assert weekly_counts([]) == []
    # the last instant falls in the last bin; past 520 weeks the bins widen (at most 521 of them)
    assert weekly_counts([t0, t0 + dt.timedelta(days=14)]) == [1, 0, 1]
    for days in (3640, 7300):
        times = [t0 + dt.timedelta(days=d) for d in range(0, days + 1, 10)]
        counts = weekly_counts(times)
        assert len(counts) <= 521 and sum(counts) == len(times) and counts[0] >= 1 and counts[-1] >= 1
    assert len(weekly_counts([t0, t0 + dt.timedelta(days=7300)])) == 521


def test_clusters_and_bridges() -> None:
    rows = [("I1", "p:1"), ("I2", "p:1"), ("I1", "v:1"), ("I2", "v:1"),  # redundant pair: no bridge
            ("I2", "h:1"), ("I3", "h:1"),  # the bridge
            ("I3", "e:1"), ("I4", "e:1"), ("I5", "x:9")]
    g = incident_identifier_graph([{"incident_id": i, "identifier": v} for i, v in rows])
    (c,) = clusters(g)
    assert c["incident_ids"] == ["I1", "I2", "I3", "I4"]
    assert c["bridging_identifiers"] == ["e:1", "h:1"]
    assert c["shared_identifiers"] == ["e:1", "h:1", "p:1", "v:1"]
    assert len(clusters(g, min_incidents=1)) == 2


def test_identity_groups() -> None:
    links = [{"a": "A", "b": "B", "status": "confirmed"},
             {"a": "B", "b": "C", "status": "proposed", "probability": 0.95, "evidence": '{"why": "phone"}'},
             {"a": "C", "b": "D", "status": "proposed", "probability": 0.92},
             {"a": "A", "b": "E", "status": "proposed", "probability": 0.3},
             {"a": "A", "b": "F", "status": "rejected", "probability": 0.99}]
    g = identity_group("A", links, 0.9)
    assert g.confirmed == ["A", "B"] and sorted(g.unconfirmed) == ["C", "D"]
    assert g.unconfirmed["C"]["evidence"] == {"why": "phone"} and g.unconfirmed["D"]["probability"] == 0.92
    assert identity_group("Z", links, 0.9).members == ["Z"]
    assert identity_groups(links, 0.9) == [{"A", "B", "C", "D"}]
    assert Settings.from_env({}).link_threshold == 0.9
    assert Settings.from_env({"GRAPHSVC_LINK_THRESHOLD": "0.5"}).link_threshold == 0.5
    with pytest.raises(ValueError, match="GRAPHSVC_LINK_THRESHOLD"):
        Settings.from_env({"GRAPHSVC_LINK_THRESHOLD": "2"})


def test_risk_score_is_the_sum_of_its_parts() -> None:
    score, parts = risk_score({"victim_count": 5, "breach_incident_ids": ["a", "b", "c"],
                               "threat_incident_ids": ["t"], "escalation_trend": "rising",
                               "active_order_ids": ["o"], "damage_incident_ids": ["d"],
                               "new_fixation_order_ids": ["o"]})
    pts = {p["factor"]: p["points"] for p in parts}
    assert pts == {"several_victims": 25, "breaches": 20, "violence": 10, "escalation": 10,
                   "order_in_force": 10, "property_damage": 5, "new_fixation_after_order": 10}
    assert score == 0.9


def test_risk_evidence_is_the_same_whatever_order_the_incidents_were_read_in() -> None:
    ids = [f"I-{n:02d}" for n in range(30)]
    one = risk_score({"victim_count": 2, "assault_incident_ids": ids})[1]
    other = risk_score({"victim_count": 2, "assault_incident_ids": list(reversed(ids))})[1]
    assert one == other
    violence = next(p for p in one if p["factor"] == "violence")
    assert violence["evidence"] == ids[:20] and violence["value"] == "assault"


def test_lucene_query_drops_syntax_and_subject_normalises() -> None:
    assert lucene_query(["Smith", "Al"]) == "(smith^2 OR smith~1) OR al^2"
    assert lucene_query(["Christopher"]) == "(christopher^2 OR christopher~2)"
    # query syntax in the input is dropped; lower-case "or" is a term, not an operator
    assert lucene_query(['Jo"hn) OR *:*']) == "(john^2 OR john~1) OR or^2"
    assert lucene_query(["", "!"]) is None
    s = normalise_subject({"phones": ["07700 900123", "nonsense"], "handles": ["Instagram:@X"],
                           "vehicles": ["ab12 cde"], "dob": "1984-03-02"})
    assert s["phones"] == ["+447700900123"] and s["handles"] == ["instagram:x"] and s["vehicles"] == ["AB12CDE"]
    assert s["unparsed"] == [{"field": "phones", "value": "nonsense"}]
    with pytest.raises(ValueError):
        normalise_subject({"phones": ["nonsense"]})


def test_incident_table_is_oldest_first_then_by_id() -> None:
    # get_perpetrator_records leaves the order to incident_table (sorting in Neo4j cost more)
    from graphsvc.repository.incidents import incident_table

    def row(iid: str, ms: int | None) -> list:
        return [iid, ms, None, "text", None]

    table = incident_table([row("I-3", 2000), row("I-2", 1000), row("I-1", 2000), row("I-0", 3000)], [])
    assert [i["id"] for i in table] == ["I-2", "I-1", "I-3", "I-0"]
    assert table[0]["occurred_at"].isoformat() == "1970-01-01T00:00:01+00:00"
    assert [i["id"] for i in incident_table([row("I-9", None), row("I-8", 5)], [])] == ["I-8", "I-9"]


def test_incident_table_puts_each_party_back_on_its_incidents() -> None:
    # get_perpetrator_records reads each party once, with the positions of its incidents
    from graphsvc.repository.incidents import incident_table

    rows = [["I-1", 2000, 3000, "visit", "charged"], ["I-0", 1000, None, "text", None]]
    parties = [["V-2", "VICTIM_IN", [0]], ["P-1", "OFFENDER_IN", [0, 1]], ["O-1", "BREACHED", [0]],
               ["V-1", "VICTIM_IN", [0, 1]], ["P-0", "OFFENDER_IN", [0]]]
    first, second = incident_table(rows, parties)
    assert first == {"id": "I-0", "occurred_at": first["occurred_at"], "reported_at": None, "type": "text",
                     "outcome": None, "offender_ids": ["P-1"], "victim_ids": ["V-1"],
                     "breached_order_ids": []}
    assert second["id"] == "I-1" and second["reported_at"].isoformat() == "1970-01-01T00:00:03+00:00"
    assert (second["offender_ids"], second["victim_ids"], second["breached_order_ids"]) == (
        ["P-0", "P-1"], ["V-1", "V-2"], ["O-1"])
    # lists are the incident's own: appending to one leaves the others alone
    assert first["offender_ids"] is not second["offender_ids"] and first["victim_ids"] is not second["victim_ids"]
