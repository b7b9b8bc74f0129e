"""The local Neo4j: Neo4j Community started by graphsvc as a JVM process of its own.

The launcher is the Maven module in ``neo4j-local/`` (Neo4j and its Bolt connector from Maven
Central, a short ``Main`` class). :func:`start` builds it on first use, starts it detached with
its data and logs under ``GRAPHSVC_HOME/neo4j``, Bolt on a loopback address and authentication
on, and waits until a login with the configured password succeeds. :func:`status` trusts
nothing it cannot check: the pid file must name a live process whose command line is the
launcher and whose start time matches, so a stale pid file (or a reused pid) reads as stopped.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess  # nosec B404: runs mvn and java with fixed arguments, never a shell
import time
from dataclasses import dataclass
from pathlib import Path

from graphsvc.config import Settings, project_root
from graphsvc.errors import GraphsvcError

__all__ = ["LocalDbError", "Status", "build", "start", "stop", "status", "launcher_dir"]

MAIN_CLASS = "graphsvc.neo4jlocal.Main"


class LocalDbError(GraphsvcError):
    code = "local_db"


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str
    reachable: bool
    home: Path

    def describe(self) -> str:
        if self.running:
            state = "running" if self.reachable else "starting (Bolt not answering yet)"
            return f"{state} pid={self.pid} {self.uri} home={self.home}"
        return f"stopped {self.uri} home={self.home}"


def launcher_dir(settings: Settings | None = None) -> Path:
    """Where the launcher's sources and build are (``GRAPHSVC_NEO4J_LAUNCHER_DIR``, else the
    checkout's ``neo4j-local/``)."""
    return settings.launcher_dir if settings is not None else project_root() / "neo4j-local"


def _classpath(launcher: Path) -> str:
    target = launcher / "target"
    return f"{target / 'classes'}{os.pathsep}{target / 'lib' / '*'}"


def is_built(launcher: Path | None = None) -> bool:
    launcher = launcher or launcher_dir()
    target = launcher / "target"
    compiled = target / "classes" / "graphsvc" / "neo4jlocal" / "Main.class"
    if not compiled.exists() or not any((target / "lib").glob("neo4j-5.*.jar")):
        return False
    # A launcher source or pom newer than the build (a pull changed it) means build again.
    sources = [launcher / "pom.xml", *(launcher / "src").rglob("*.java")]
    return all(src.stat().st_mtime <= compiled.stat().st_mtime for src in sources)


def build(launcher: Path | None = None, force: bool = False) -> None:
    """Compile the launcher and copy Neo4j's jars (``mvn package``); a no-op once built."""
    launcher = launcher or launcher_dir()
    if is_built(launcher) and not force:
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalDbError("Maven (mvn) is needed to fetch Neo4j from Maven Central; install it")
    result = subprocess.run(  # nosec B603: fixed argv, no shell, no user input
        [mvn, "-q", "-B", "package"], cwd=launcher, capture_output=True, text=True
    )
    if result.returncode != 0 or not is_built(launcher):
        raise LocalDbError("building the local Neo4j failed:\n" + (result.stdout + result.stderr)[-4000:])


def _pid_file(settings: Settings) -> Path:
    return settings.local_db_home / "run" / "neo4j.pid"


def _proc_start_ticks(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # field 22 (starttime) counted after the command name, which may hold spaces
    return stat.rsplit(")", 1)[1].split()[19]


def _exists(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited: a zombie (exited, waiting for a parent
    that is not this process to reap it, e.g. a benchmark that started the database while
    another process stops it) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _is_launcher(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return MAIN_CLASS.encode() in cmdline


def _read_pid(settings: Settings) -> int | None:
    path = _pid_file(settings)
    try:
        pid_text, ticks = path.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    if _proc_start_ticks(pid) == ticks and _is_launcher(pid):
        return pid
    return None


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _can_login(settings: Settings) -> bool:
    from neo4j import GraphDatabase
    from neo4j.exceptions import Neo4jError, DriverError

    try:
        with GraphDatabase.driver(
            settings.local_bolt_uri,
            auth=(settings.neo4j_user, settings.password()),
            connection_timeout=2.0,
        ) as driver:
            driver.verify_connectivity()
        return True
    except (Neo4jError, DriverError, OSError):
        return False


def status(settings: Settings) -> Status:
    pid = _read_pid(settings)
    reachable = pid is not None and _port_open(settings.local_bolt_host, settings.local_bolt_port)
    return Status(pid is not None, pid, settings.local_bolt_uri, reachable, settings.local_db_home)


def start(settings: Settings, timeout_s: float = 90.0) -> Status:
    """Start the local Neo4j (building it first if need be) and wait until it accepts a login."""
    current = status(settings)
    if current.running:
        return _wait_ready(settings, current.pid, timeout_s)
    if _port_open(settings.local_bolt_host, settings.local_bolt_port):
        raise LocalDbError(
            f"port {settings.local_bolt_port} is in use by another program; "
            "set GRAPHSVC_NEO4J_PORT to a free port"
        )
    build(settings.launcher_dir)
    java = shutil.which("java")
    if java is None:
        raise LocalDbError("Java 17 or later is needed to run the local Neo4j")
    home = settings.local_db_home
    (home / "run").mkdir(parents=True, exist_ok=True)
    (home / "logs").mkdir(parents=True, exist_ok=True)
    (home / "run" / "ready").unlink(missing_ok=True)
    env = dict(os.environ)
    env.update(
        GRAPHSVC_NEO4J_HOME=str(home),
        GRAPHSVC_NEO4J_BOLT=f"{settings.local_bolt_host}:{settings.local_bolt_port}",
        GRAPHSVC_NEO4J_PAGECACHE=str(settings.local_pagecache_mib),
        NEO4J_PASSWORD=settings.password(),
        GRAPHSVC_NEO4J_SETTINGS=settings.local_neo4j_settings,
    )
    log_path = home / "logs" / "launcher.log"
    if log_path.exists():
        log_path.replace(log_path.with_suffix(".log.1"))
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child
    with log:
        proc = subprocess.Popen(  # nosec B603: fixed argv, no shell, no user input
            [
                java,
                f"-Xms{min(512, settings.local_heap_mib)}m",
                f"-Xmx{settings.local_heap_mib}m",
                "-XX:+UseG1GC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Dfile.encoding=UTF-8",
                *shlex.split(settings.local_java_opts),
                "-cp",
                _classpath(settings.launcher_dir),
                MAIN_CLASS,
            ],
            cwd=home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ticks = _proc_start_ticks(proc.pid)
    _pid_file(settings).write_text(f"{proc.pid} {ticks}\n")
    return _wait_ready(settings, proc.pid, timeout_s, proc)


def _wait_ready(
    settings: Settings, pid: int | None, timeout_s: float, proc: subprocess.Popen[bytes] | None = None
) -> Status:
    deadline = time.monotonic() + timeout_s
    ready = settings.local_db_home / "run" / "ready"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            _pid_file(settings).unlink(missing_ok=True)
            raise LocalDbError(
                f"the local Neo4j exited with status {proc.returncode}:\n{_log_tail(settings)}"
            )
        if ready.exists() and _can_login(settings):
            return status(settings)
        time.sleep(0.25)
    raise LocalDbError(f"the local Neo4j did not answer within {timeout_s:.0f} s:\n{_log_tail(settings)}")


def _log_tail(settings: Settings, lines: int = 30) -> str:
    path = settings.local_db_home / "logs" / "launcher.log"
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no launcher log)"
    meaningful = [line for line in text if not line.lstrip().startswith(("at ", "... "))]
    return "\n".join(meaningful[-lines:])


def stop(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Shut the local Neo4j down cleanly (SIGTERM, then SIGKILL after ``timeout_s``).

    Returns whether a running database was stopped.
    """
    pid = _read_pid(settings)
    if pid is None:
        _pid_file(settings).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _exists(pid):
        _reap(pid)
        time.sleep(0.2)
    if _exists(pid):
        os.kill(pid, signal.SIGKILL)
        while _exists(pid):
            _reap(pid)
            time.sleep(0.1)
    _pid_file(settings).unlink(missing_ok=True)
    (settings.local_db_home / "run" / "ready").unlink(missing_ok=True)
    return True


def kill(settings: Settings) -> bool:
    """SIGKILL the local Neo4j, as a crash would (for fault tests)."""
    pid = _read_pid(settings)
    if pid is None:
        return False
    os.kill(pid, signal.SIGKILL)
    while _proc_start_ticks(pid) is not None and _is_launcher(pid):
        _reap(pid)
        time.sleep(0.05)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status when this process started the database (avoids a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
