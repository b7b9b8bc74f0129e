"""``graphsvc subscriptions`` and ``graphsvc alerts`` (issue #20): a key's subscription made from
the shell (the secret from an environment variable, never echoed), the alerts a load raises read
as the key may read them and audited, one acknowledged, one round of delivery to a receiver on
loopback, and the subscription ended."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from click.testing import CliRunner

from graphsvc.cli import main
from graphsvc.security import keys as auth
from tests.analysis_records import incident, person

SECRET = "cli-secret-0123456789abcdef"


def test_subscribe_read_ack_deliver_and_end_from_the_shell(db, load, neo4j_env, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    got: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, key = auth.create_key(db, role="investigator", name="cli-alerts", agency="MPS")
        env = {**neo4j_env, "CLI_ALERT_SECRET": SECRET}
        made = runner.invoke(main, ["subscriptions", "create", "--key-id", key["key_id"], "--url",
                                    f"http://127.0.0.1:{server.server_address[1]}/a", "--secret-env",
                                    "CLI_ALERT_SECRET", "--rule", "new_victim"], env=env)
        assert made.exit_code == 0, made.output
        assert SECRET not in made.output
        sub = json.loads(made.output)
        refused = runner.invoke(main, ["subscriptions", "create", "--key-id", key["key_id"], "--url",
                                       "https://elsewhere.example.org/a", "--secret-env", "CLI_ALERT_SECRET",
                                       "--rule", "serial"], env=env)
        assert refused.exit_code == 2 and "loopback" in refused.output

        load([person("C-R", "Ned", "Ambrose", source="MPS"), person("C-V", "Flo", "Birtle", source="GMP"),
              incident("C-I", "2024-02-01", "visit", ["C-R"], ["C-V"], source="GMP")])
        listed = runner.invoke(main, ["alerts", "list", "--key-id", key["key_id"], "--purpose", "OP-CLI/1"], env=env)
        assert listed.exit_code == 0, listed.output
        page = json.loads(listed.output)
        assert [a["rule"] for a in page["alerts"]] == ["new_victim"] and "Birtle" not in listed.output
        assert page["withheld_by"] == ["GMP"]
        alert_id = page["alerts"][0]["id"]
        entries = db.execute("MATCH (e:AuditEntry {action: 'consultation', purpose: 'OP-CLI/1'}) RETURN e.person_ids AS ids")
        assert entries and set(entries[0]["ids"]) >= {"C-R", "C-V"}

        acked = runner.invoke(main, ["alerts", "ack", alert_id, "--key-id", key["key_id"], "--note", "seen"], env=env)
        assert acked.exit_code == 0, acked.output
        sent = runner.invoke(main, ["alerts", "dispatch", "--once"], env=env)
        assert sent.exit_code == 0, sent.output
        assert [a["id"] for a in got] == [alert_id] and "Birtle" not in json.dumps(got)

        ended = runner.invoke(main, ["subscriptions", "delete", sub["id"], "--key-id", key["key_id"]], env=env)
        assert ended.exit_code == 0, ended.output
        assert json.loads(runner.invoke(main, ["subscriptions", "list", "--key-id", key["key_id"]],
                                        env=env).output) == []
    finally:
        server.shutdown()
