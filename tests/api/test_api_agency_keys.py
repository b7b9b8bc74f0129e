"""Keys that act for an agency (contract section 5): made by the CLI and POST /keys, managed by
their agency's admins only, and written into every audit entry with the agencies whose records
were disclosed. Against the real Neo4j."""

from __future__ import annotations

import json

from graphsvc.cli import main as cli_main
from graphsvc.security import audit
from graphsvc.security import keys as auth
from tests.analysis_records import incident, person


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "X-Purpose": "OP-AGENCY/2"}


def test_the_cli_makes_a_key_for_an_agency_and_lists_it(runner, neo4j_env, db) -> None:  # type: ignore[no-untyped-def]
    made = runner.invoke(cli_main, ["keys", "create", "--role", "offender_manager", "--name", "mps-om",
                                    "--agency", "MPS"], env=neo4j_env)
    assert made.exit_code == 0, made.output
    listed = json.loads(runner.invoke(cli_main, ["keys", "list", "--json"], env=neo4j_env).output)
    assert [(k["name"], k["role"], k["agency"]) for k in listed] == [("mps-om", "offender_manager", "MPS")]
    token = made.stdout.strip().splitlines()[0]
    assert auth.KeyRing(cache_ttl_s=0).authenticate(db, token).agency == "MPS"
    bad = runner.invoke(cli_main, ["keys", "create", "--role", "investigator", "--name", "x", "--agency", "M P S"],
                        env=neo4j_env)
    assert bad.exit_code != 0 and "agency" in bad.output


def test_an_agency_admin_manages_only_its_agencys_keys(client, db) -> None:  # type: ignore[no-untyped-def]
    national = auth.create_key(db, role="admin", name="nat-admin")[0]
    r = client.post("/api/v1/keys", json={"name": "gmp-inv", "role": "investigator", "agency": "GMP"},
                    headers=_h(national))
    assert r.status_code == 201 and r.get_json()["agency"] == "GMP"
    gmp_key_id = r.get_json()["key_id"]
    assert client.post("/api/v1/keys", json={"name": "x", "role": "investigator", "agency": "G M P"},
                       headers=_h(national)).status_code in (400, 422)
    mps_admin = auth.create_key(db, role="admin", name="mps-admin", agency="MPS")[0]
    own = client.post("/api/v1/keys", json={"name": "mps-inv", "role": "investigator"}, headers=_h(mps_admin))
    assert own.status_code == 201 and own.get_json()["agency"] == "MPS"  # its own agency by default
    other = client.post("/api/v1/keys", json={"name": "gmp-2", "role": "investigator", "agency": "GMP"},
                        headers=_h(mps_admin))
    assert other.status_code == 403
    listed = client.get("/api/v1/keys", headers=_h(mps_admin)).get_json()["keys"]
    assert sorted(k["name"] for k in listed) == ["mps-admin", "mps-inv"]
    assert client.delete(f"/api/v1/keys/{gmp_key_id}", headers=_h(mps_admin)).status_code == 404
    assert client.delete(f"/api/v1/keys/{own.get_json()['key_id']}", headers=_h(mps_admin)).status_code == 200
    assert client.delete(f"/api/v1/keys/{gmp_key_id}", headers=_h(national)).status_code == 200


def test_audit_entries_hold_the_actors_agency_and_the_owners_of_what_was_disclosed(client, db, load) -> None:  # type: ignore[no-untyped-def]
    load([person("DM", "Daniel", "Marsh", source="GMP"), person("M-V1", "Maya", "Plum", source="MPS"),
          incident("MPS-I-1", 3, "call", ["DM"], ["M-V1"], source="MPS")])
    mps = auth.create_key(db, role="investigator", name="mps-inv", agency="MPS")[0]
    national = auth.create_key(db, role="investigator", name="nat-inv")[0]
    assert client.get("/api/v1/persons/DM/fixation", headers=_h(mps)).status_code == 200
    assert client.get("/api/v1/persons/M-V1", headers=_h(national)).status_code == 200
    admins = {code: auth.create_key(db, role="admin", name=f"admin-{code or 'national'}", agency=code)[0]
              for code in ("MPS", "GMP", "WMP", None)}

    def entries(who: str | None, query: str = "") -> list[dict]:  # type: ignore[type-arg]
        r = client.get(f"/api/v1/audit?action=consultation{query}", headers=_h(admins[who]))  # type: ignore[index]
        assert r.status_code == 200, r.get_json()
        return r.get_json()["entries"]

    everything = entries(None)
    by_mps = next(e for e in everything if e["actor"].startswith("mps-inv#"))
    assert by_mps["actor_agency"] == "MPS" and by_mps["disclosed_agencies"] == ["GMP", "MPS"]
    by_national = next(e for e in everything if e["actor"].startswith("nat-inv#"))
    assert by_national.get("actor_agency") is None and by_national["disclosed_agencies"] == ["MPS"]
    assert [e["seq"] for e in entries(None, "&actor_agency=MPS")] == [by_mps["seq"]]
    assert [e["seq"] for e in entries(None, "&disclosed_agency=GMP")] == [by_mps["seq"]]
    # an agency's admin reads its actors' entries and the reads of its records, nothing else
    assert {e["seq"] for e in entries("MPS")} == {by_mps["seq"], by_national["seq"]}
    assert [e["seq"] for e in entries("GMP")] == [by_mps["seq"]]
    assert entries("WMP") == []
    assert audit.verify(db).ok


def test_the_agencies_are_sealed_in_the_chain(db) -> None:  # type: ignore[no-untyped-def]
    audit.append_entry(db, actor="old", role="investigator", action="consultation", purpose="OP-1", query={},
                       person_ids=[], status=200)  # an entry as written before agencies: none recorded
    audit.append_entry(db, actor="mps#k", role="investigator", action="consultation", purpose="OP-2", query={},
                       person_ids=[], status=200, actor_agency="MPS")
    assert audit.verify(db).ok
    db.execute("MATCH (e:AuditEntry {seq: 2}) SET e.actor_agency = 'GMP'")
    result = audit.verify(db)
    assert not result.ok and result.bad_seq == 2
