"""A valid key's misuse (issue #18): the daily quota of distinct persons read, and the anomaly
list that shows unusual reads to the agency's admins. Against the real Neo4j."""

from __future__ import annotations

import json

from graphsvc.app import create_app
from graphsvc.cli import main as cli_main
from graphsvc.security import keys as auth
from graphsvc.security.quota import parse_quotas
from tests.analysis_records import incident, person


def _app(settings, quota: int):  # type: ignore[no-untyped-def]
    return create_app({"TESTING": True, "GRAPHSVC_SETTINGS": settings,
                       "READ_QUOTAS": parse_quotas(f"investigator={quota}")})


def _h(key: str, purpose: str = "OP-Q/1") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": purpose}


def test_a_key_reading_past_its_quota_gets_429_its_admin_is_told_and_the_reads_are_listed(  # type: ignore[no-untyped-def]
        db, load, neo4j_settings, runner, neo4j_env) -> None:
    load([person(f"MPS-P-{n}", f"Given{n}", "Person", source="MPS") for n in range(8)])
    client = _app(neo4j_settings, quota=5).test_client()
    scraper = auth.create_key(db, role="investigator", name="mps-scraper", agency="MPS")[0]
    statuses = [client.get(f"/api/v1/persons/MPS-P-{n}", headers=_h(scraper)).status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = client.get("/api/v1/persons/MPS-P-6", headers=_h(scraper))
    assert refused.get_json()["error"]["code"] == "quota_exceeded" and int(refused.headers["Retry-After"]) >= 1
    assert "Given6" not in refused.get_data(as_text=True)
    # the quota counts distinct persons: one already read today is read again
    assert client.get("/api/v1/persons/MPS-P-0", headers=_h(scraper)).status_code == 200
    # another key's quota is its own
    other = auth.create_key(db, role="investigator", name="mps-other", agency="MPS")[0]
    assert client.get("/api/v1/persons/MPS-P-7", headers=_h(other)).status_code == 200

    mps_admin = auth.create_key(db, role="admin", name="mps-admin", agency="MPS")[0]
    denied = client.get("/api/v1/audit?action=access_denied", headers=_h(mps_admin)).get_json()["entries"]
    assert len(denied) == 3 and {e["query"]["reason"] for e in denied} == {"quota_exceeded"}
    found = client.get("/api/v1/audit/anomalies", headers=_h(mps_admin)).get_json()["anomalies"]
    mine = {a["kind"]: a for a in found if a["actor"].startswith("mps-scraper#")}
    # five unrelated persons under one purpose: each read is also unlinked to the others
    assert sorted(mine) == ["quota_exceeded", "unlinked_read", "volume"]
    assert mine["quota_exceeded"]["audit_seqs"] == sorted(e["seq"] for e in denied)
    assert mine["volume"]["person_ids"] == [f"MPS-P-{n}" for n in range(5)]
    assert not any(a["actor"].startswith("mps-other#") for a in found)
    gmp_admin = auth.create_key(db, role="admin", name="gmp-admin", agency="GMP")[0]
    assert client.get("/api/v1/audit/anomalies", headers=_h(gmp_admin)).get_json()["anomalies"] == []

    out = runner.invoke(cli_main, ["audit", "anomalies", "--agency", "MPS"],
                        env={**neo4j_env, "GRAPHSVC_READ_QUOTAS": "investigator=5"})
    assert out.exit_code == 0, out.output
    kinds = sorted(json.loads(line)["kind"] for line in out.stdout.splitlines() if line.startswith("{"))
    assert sorted(set(kinds)) == ["quota_exceeded", "unlinked_read", "volume"]


def test_reads_unlinked_to_the_purpose_and_an_own_victim_found_by_name_are_listed(  # type: ignore[no-untyped-def]
        client, db, load) -> None:
    load([person("DM", "Daniel", "Marsh", source="MPS"), person("M-V1", "Maya", "Plumtree", source="MPS"),
          person("M-V2", "Nia", "Ashby", source="MPS"), person("EX", "Kerry", "Lomax", source="MPS"),
          person("EXO", "Ola", "Other", source="MPS"),
          incident("MPS-I-1", 1, "call", ["DM"], ["M-V1"], source="MPS"),
          incident("MPS-I-2", 2, "text", ["DM"], ["M-V2"], source="MPS"),
          incident("MPS-I-3", 3, "text", ["EXO"], ["EX"], source="MPS")])
    key = auth.create_key(db, role="investigator", name="mps-inv", agency="MPS")[0]
    for path in ("/api/v1/persons/DM/fixation", "/api/v1/persons/M-V1", "/api/v1/persons/M-V2",
                 "/api/v1/persons/EX"):  # the last has nothing to do with the case
        assert client.get(path, headers=_h(key, "OP-CASE/7")).status_code == 200
    # an ex-partner looked up by name, then her record opened
    assert [p["person_id"] for p in client.get("/api/v1/search?q=Kerry Lomax", headers=_h(key, "OP-CASE/8"))
            .get_json()["persons"]] == ["EX"]
    assert client.get("/api/v1/persons/EX", headers=_h(key, "OP-CASE/8")).status_code == 200
    # a victim reached through the case is not listed
    assert client.get("/api/v1/persons/DM/fixation", headers=_h(key, "OP-CASE/9")).status_code == 200
    assert client.get("/api/v1/search?q=Maya Plumtree", headers=_h(key, "OP-CASE/9")).status_code == 200
    assert client.get("/api/v1/persons/M-V1", headers=_h(key, "OP-CASE/9")).status_code == 200

    admin = auth.create_key(db, role="admin", name="nat-admin")[0]
    found = client.get("/api/v1/audit/anomalies", headers=_h(admin)).get_json()["anomalies"]
    listed = sorted((a["kind"], tuple(a["person_ids"])) for a in found)
    assert listed == [("own_victim_by_name_search", ("EX",)), ("unlinked_read", ("EX",))]
    by_kind = {a["kind"]: a for a in found}
    entries = {e["seq"]: e for e in client.get("/api/v1/audit?limit=100", headers=_h(admin)).get_json()["entries"]}
    assert [entries[s]["query"]["path"] for s in by_kind["own_victim_by_name_search"]["audit_seqs"]] == [
        "/api/v1/search", "/api/v1/persons/EX"]
    assert [entries[s]["purpose"] for s in by_kind["unlinked_read"]["audit_seqs"]] == ["OP-CASE/7"]


def test_a_key_no_longer_used_does_not_keep_its_list_of_persons_read(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The quota's working state is not a second audit log: an idle key's last day of KeyRead
    nodes (which persons it read) is deleted, a bounded slice at each other key's new day."""
    from graphsvc.repository import quota as store

    db.execute("CREATE (:KeyDay {id: 'idle|2026-01-05', key_id: 'idle', day: '2026-01-05', count: 5}) "
               "WITH 1 AS one UNWIND range(1, 5) AS n "
               "CREATE (:KeyRead {id: 'idle|2026-01-05|P' + n, key_id: 'idle', day: '2026-01-05', person_id: 'P' + n})")
    monkeypatch.setattr(store, "STALE_SLICE", 2)

    def left() -> tuple[int, int]:
        row = db.execute("MATCH (r:KeyRead {key_id: 'idle'}) WITH count(r) AS reads "
                         "MATCH (d:KeyDay {key_id: 'idle'}) RETURN reads, count(d) AS days")
        return (row[0]["reads"], row[0]["days"]) if row else (0, 0)

    def charge(key: str, person: str) -> None:
        db.write_tx(lambda tx: store.charge_in(db, tx, [store.Charge(key, "2026-02-01", (person,), 100)]))

    charge("a", "X1")
    assert left() == (3, 1)
    charge("a", "X2")  # not a new day: nothing more
    assert left() == (3, 1)
    for key in ("b", "c"):
        charge(key, "X1")
    assert left() == (0, 0)  # the reads went first, then the emptied day
    today = db.execute("MATCH (r:KeyRead {day: '2026-02-01'}) RETURN count(r) AS n")[0]["n"]
    assert today == 4  # a's two and b's and c's one each: today's working state is untouched
