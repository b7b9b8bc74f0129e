"""Neo4j's own importer (``neo4j-admin database import full``) for a first load in bulk.

The importer writes a whole store from CSV files while the database is stopped, replacing
what was there. For the local Neo4j (:mod:`graphsvc.graph.localdb`) it runs from the launcher's
classpath (``neo4j-import-tool``, the server's version, which ``neo4j-local/pom.xml`` pins
through ``neo4j``): ``NEO4J_HOME`` is the local database's folder (``GRAPHSVC_HOME/neo4j``, the
embedded server's home) and ``NEO4J_CONF`` a folder holding a ``neo4j.conf`` that names the
same data directory the server uses (``HOME/data``, or the ``server.directories.*`` given in
``GRAPHSVC_NEO4J_SETTINGS``), so the store written is the one the server opens. For a server
deployment :func:`server_command` is the command the operator runs there (docs/loading.md).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess  # nosec B404: runs java with fixed arguments, never a shell
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graphsvc.config import Settings
from graphsvc.graph.localdb import LocalDbError

__all__ = ["ARRAY_DELIMITER", "ImportRun", "import_arguments", "local_data_dir", "run_local",
           "server_command"]

ADMIN_CLASS = "org.neo4j.cli.AdminTool"
#: between the items of a list cell and between labels in the import files: a control character
#: no record field needs (graphsvc.repository.bulk writes a list item holding it as a fix-up)
ARRAY_DELIMITER = "\x1f"


@dataclass(frozen=True)
class ImportRun:
    seconds: float
    #: the importer JVM's peak resident memory (from the kernel's accounting of the child)
    peak_rss_mib: float
    log: Path
    summary: str


def _passed_through(settings: Settings) -> dict[str, str]:
    """The store-location settings of ``GRAPHSVC_NEO4J_SETTINGS`` (the launcher reads them too)."""
    out: dict[str, str] = {}
    for item in re.split(r"[;\n]", settings.local_neo4j_settings):
        name, eq, value = item.strip().partition("=")
        if eq and name.strip().startswith("server.directories."):
            out[name.strip()] = value.strip()
    return out


def local_data_dir(settings: Settings) -> Path:
    """The local Neo4j's data directory (``server.directories.data``, relative to its home)."""
    home = settings.local_db_home
    given = _passed_through(settings).get("server.directories.data")
    return (home / given) if given else home / "data"


def import_arguments(files_nodes: list[Path], files_rels: list[Path], multiline: list[Path], *,
                     database: str, off_heap: str, report: Path | None = None) -> list[str]:
    """The importer's arguments after ``database import full`` (the same locally and on a server)."""
    args = [
        database,  # first: after --nodes or --relationships it would read as one more file
        "--overwrite-destination=true",  # the database was checked empty; its empty store is replaced
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
        "--bad-tolerance=0",  # the files are generated from validated records: any fault is a bug
        "--id-type=string",
        f"--max-off-heap-memory={off_heap}",
    ]
    if multiline:
        args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(str(p) for p in multiline)]
    if report is not None:
        args.append(f"--report-file={report}")
    args += [f"--nodes={p}" for p in files_nodes]
    args += [f"--relationships={p}" for p in files_rels]
    return args


def server_command(args: list[str], *, heap_mib: int) -> str:
    """The command an operator runs on the database server, with Neo4j stopped."""
    return f"HEAP_SIZE={heap_mib}m neo4j-admin database import full " + " ".join(shlex.quote(a) for a in args)


def run_local(settings: Settings, args: list[str], work: Path, *, echo: IO[str] | None = None) -> ImportRun:
    """Run the importer into the local Neo4j's store (the database must be stopped). Its output
    goes to ``work/import.log``; lines of progress are echoed to ``echo`` when given."""
    java = shutil.which("java")
    if java is None:
        raise LocalDbError("Java 17 or later is needed to run Neo4j's importer")
    lib = settings.launcher_dir / "target" / "lib"
    if not any(lib.glob("neo4j-import-tool-*.jar")):
        raise LocalDbError(f"Neo4j's importer (neo4j-import-tool) is not in {lib}: run graphsvc db start once "
                              "(it builds the launcher)")
    conf = work / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    lines = {"server.directories.data": str(local_data_dir(settings)), **{
        k: str(settings.local_db_home / v) if not Path(v).is_absolute() else v
        for k, v in _passed_through(settings).items() if k != "server.directories.data"}}
    (conf / "neo4j.conf").write_text("".join(f"{k}={v}\n" for k, v in lines.items()), encoding="utf-8")
    env = dict(os.environ, NEO4J_HOME=str(settings.local_db_home), NEO4J_CONF=str(conf))
    argv = [java, f"-Xmx{settings.bulk_heap_mib}m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
            "-Dfile.encoding=UTF-8", "-cp", str(lib / "*"), ADMIN_CLASS, "database", "import", "full", *args]
    log_path = work / "import.log"
    started = time.perf_counter()
    tail: list[str] = []
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(  # nosec B603: fixed argv, no shell
            argv, env=env, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace")
        for line in proc.stdout or ():
            log.write(line)
            tail = [*tail[-39:], line.rstrip()]
            if echo is not None and _worth_echoing(line):
                echo.write(line)
                echo.flush()
        if proc.stdout is not None:
            proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise LocalDbError(f"Neo4j's importer failed (exit status {proc.returncode}); its log: {log_path}",
                              {"tail": "\n".join(tail[-20:])})
    summary = " ".join(t for t in tail if t.startswith(("IMPORT DONE", "  ", "Peak memory")) and t.strip())
    return ImportRun(seconds, usage.ru_maxrss / 1024, log_path, summary)


def _worth_echoing(line: str) -> bool:
    """The importer's stage lines and totals, not its rows of progress dots."""
    text = line.strip()
    return bool(text) and not text.startswith(("-", ".")) and "∆" not in text
