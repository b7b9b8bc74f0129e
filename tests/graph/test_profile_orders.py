"""The profile lists every order its flags can name (issue #17: "Orders: None recorded" beside an
ACTIVE_ORDER flag naming the order of a linked record)."""

from __future__ import annotations

from graphsvc import services
from tests.analysis_records import incident, order, person


def test_the_profile_lists_the_orders_of_its_identity_group_with_their_status(db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("GK1", "Gary", "Knox"), person("GK2", "Gary", "Knox", source="MPS"), person("V1"), person("V2"),
          incident("I1", 0, "text", ["GK2"], ["V1"], source="MPS"),
          # I2 names an order not on the register: a placeholder without an issue date
          incident("I2", 5, "visit", ["GK1"], ["V2"], breached_order_ids=["OX"]),
          order("OA", "GK2", ["V1"], "2025-01-01", "2099-01-01"),  # in force, against his other record
          order("OP", "GK1", ["V2"], 1, 30)])  # expired, his own record
    db.execute("MATCH (a:Person {id: 'GK1'}), (b:Person {id: 'GK2'}) "
               "CREATE (a)-[:POSSIBLY_SAME_AS {probability: 1.0, status: 'confirmed'}]->(b)")
    profile = services.person_profile(db, "GK1")
    active = next(f for f in profile["flags"] if f["code"] == "ACTIVE_ORDER")
    prior = next(f for f in profile["flags"] if f["code"] == "PRIOR_ORDER")
    listed = {o["id"]: o for o in profile["orders"]}
    # every order a flag names is in the profile's orders
    assert set(active["evidence"]) | set(prior["evidence"]) <= set(listed)
    assert listed["OA"]["status"] == "active" and listed["OA"]["active"] is True
    assert listed["OA"]["record_id"] == "GK2" and listed["OA"]["own_record"] is False
    assert listed["OA"]["role"] == "respondent" and listed["OA"]["proposed"] is False
    assert listed["OP"]["status"] == "expired" and listed["OP"]["record_id"] == "GK1" and listed["OP"]["own_record"]
    # an order known only from a breach has no issue date: listed, not dropped, and says so
    assert listed["OX"]["status"] == "issue_date_unknown" and listed["OX"]["issued_on"] is None
    # the victim's profile lists the order protecting her
    v1 = {o["id"]: o for o in services.person_profile(db, "V1")["orders"]}
    assert v1["OA"]["role"] == "protected" and v1["OA"]["record_id"] == "V1" and v1["OA"]["status"] == "active"
