"""A Patroni + etcd PostgreSQL cluster on this machine: one etcd member and three Patroni
nodes (a primary, its synchronous standby and a second standby that takes over as the
synchronous one after a failover), each on loopback ports chosen free at start and in its
own folder, with WAL archived for point-in-time restores. For the tests, the
failover drill (bench/failover_bench.py) and trying failover by hand; production runs the
same settings on three machines (deploy/ha/production/).

    .venv/bin/python deploy/ha/cluster.py up [--folder /tmp/plans-ha]   # Ctrl-C stops it
    .venv/bin/python deploy/ha/cluster.py restore --backup DIR --archive DIR --to TIME --into DIR

`up` prints the DATABASE_URL that follows the primary. PostgreSQL refuses to run as root,
so when run as root every process runs as the `postgres` user. Needs Debian's `patroni` and
`etcd-server` packages and PostgreSQL's binaries.
"""

import argparse
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCOPE = "wellbeing-plans"


def postgres_bin_dir() -> Path | None:
    """The newest PostgreSQL's binaries Debian installed, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[4]))
    return found[-1].parent if found else None


def missing_tools() -> list[str]:
    """What this machine lacks to run the cluster (empty when it can)."""
    missing = [name for name in ("patroni", "etcd") if shutil.which(name) is None]
    if postgres_bin_dir() is None:
        missing.append("postgresql")
    return missing


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres_user() -> dict:
    """Popen arguments that run a process as `postgres` when we are root."""
    if os.getuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _owned_by_postgres(path: Path) -> None:
    if os.getuid() == 0:
        record = pwd.getpwnam("postgres")
        os.chown(path, record.pw_uid, record.pw_gid)


def _get_json(url: str, timeout: float = 2) -> dict | list | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:  # Patroni answers 503 with JSON for a non-leader
        with contextlib.suppress(ValueError):
            return json.load(error)
        return None
    except (OSError, ValueError):
        return None


@dataclass
class Node:
    name: str
    pg_port: int
    rest_port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


class Cluster:
    """etcd and `nodes` Patroni nodes under `folder` (made, and removed by `stop` unless
    `keep`), which the `postgres` user must be able to reach: by default a new folder in
    /tmp (pytest's own temporary folders are root's alone)."""

    def __init__(self, folder: Path | None = None, nodes: int = 3, keep: bool = False) -> None:
        self.folder = Path(folder or tempfile.mkdtemp(prefix="plans-ha."))
        self.folder.mkdir(parents=True, exist_ok=True)
        _owned_by_postgres(self.folder)
        self.keep = keep
        self.bin_dir = postgres_bin_dir()
        self.etcd_port, self.etcd_peer_port = free_port(), free_port()
        self.archive_dir = self.folder / "wal-archive"
        self.nodes = [
            Node(f"pg{n}", free_port(), free_port(), self.folder / f"pg{n}")
            for n in range(1, nodes + 1)
        ]
        self.etcd: subprocess.Popen | None = None

    # ---- starting and stopping -----------------------------------------------------------

    def start(self, timeout: float = 120) -> "Cluster":
        """Starts etcd, then every node; returns once a primary runs with a synchronous
        standby streaming from it, nothing behind. Stops what it started if it fails."""
        try:
            self._start_etcd()
            self.archive_dir.mkdir(exist_ok=True)
            _owned_by_postgres(self.archive_dir)
            for node in self.nodes:
                self._start_node(node)
            self.wait_until_in_sync(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stops every node (Patroni stops its PostgreSQL) and etcd; removes the folder
        unless `keep`."""
        for node in self.nodes:
            if node.process is not None:
                _stop(node.process)
            # A postmaster Patroni could not stop (it was killed first) is stopped here.
            pid = node.postmaster_pid()
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self.etcd is not None:
            _stop(self.etcd)
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _start_etcd(self) -> None:
        data = self.folder / "etcd"
        client = f"http://127.0.0.1:{self.etcd_port}"
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        log = (self.folder / "etcd.log").open("ab")
        self.etcd = subprocess.Popen(
            ["etcd", "--name", "etcd1", "--data-dir", str(data)]
            + ["--listen-client-urls", client, "--advertise-client-urls", client]
            + ["--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer]
            + ["--initial-cluster", f"etcd1={peer}", "--initial-cluster-state", "new"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait(lambda: (_get_json(f"{client}/health") or {}).get("health") == "true", 30)

    def _start_node(self, node: Node) -> None:
        node.folder.mkdir(exist_ok=True)
        _owned_by_postgres(node.folder)
        values = {
            "name": node.name,
            "rest_port": node.rest_port,
            "pg_port": node.pg_port,
            "etcd_port": self.etcd_port,
            "data_dir": node.data_dir,
            "node_dir": node.folder,
            "bin_dir": self.bin_dir,
            "archive_dir": self.archive_dir,
        }
        config = string.Template((HERE / "patroni.yml").read_text()).substitute(values)
        config_file = node.folder / "patroni.yml"
        config_file.write_text(config)
        log = (node.folder / "patroni.log").open("ab")
        node.process = subprocess.Popen(
            ["patroni", str(config_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=node.folder,
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(node.folder), "LANG": "C.UTF-8"},
            start_new_session=True,
            **_as_postgres_user(),
        )

    # ---- what the cluster is doing -------------------------------------------------------

    def members(self) -> list[dict]:
        """Patroni's view of the cluster (GET /cluster), from the first node that answers:
        each member's name, role (leader, sync_standby, replica), state and lag in bytes."""
        for node in self.nodes:
            found = _get_json(f"{node.api}/cluster")
            if found and found.get("members"):
                return found["members"]
        return []

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def leader(self) -> Node | None:
        """The node Patroni says leads, when its PostgreSQL is running."""
        for member in self.members():
            if member["role"] == "leader" and member["state"] == "running":
                return self.node(member["name"])
        return None

    def sync_standby(self) -> Node | None:
        """The standby every commit waits for (the only one Patroni may promote)."""
        for member in self.members():
            if member["role"] == "sync_standby":
                return self.node(member["name"])
        return None

    def in_sync(self) -> bool:
        """A running primary, and a synchronous standby streaming from it with nothing behind."""
        members = self.members()
        leader = any(m["role"] == "leader" and m["state"] == "running" for m in members)
        return leader and any(
            m["role"] == "sync_standby" and m["state"] in ("running", "streaming") and m["lag"] == 0
            for m in members
        )

    def wait_until_in_sync(self, timeout: float = 60) -> None:
        self._wait(self.in_sync, timeout, lambda: f"members: {self.members()}")

    def wait_for_leader(self, other_than: Node | None = None, timeout: float = 60) -> Node:
        def found() -> bool:
            leader = self.leader()
            return leader is not None and leader is not other_than

        self._wait(found, timeout, lambda: f"members: {self.members()}")
        return self.leader()

    def database_url(self, database: str = "postgres") -> str:
        """A URL naming every node, for a client that follows the primary."""
        hosts = ",".join(f"127.0.0.1:{node.pg_port}" for node in self.nodes)
        return f"postgresql://postgres@{hosts}/{database}?target_session_attrs=read-write"

    def node_url(self, node: Node, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{node.pg_port}/{database}"

    # ---- failures and maintenance --------------------------------------------------------

    def kill_primary(self) -> Node:
        """SIGKILL to the primary's postmaster (Patroni itself keeps running, as it would
        on a machine whose database crashed); returns the node that was primary."""
        leader = self.leader()
        if leader is None:
            raise RuntimeError(f"no primary to kill: {self.members()}")
        os.kill(leader.postmaster_pid(), signal.SIGKILL)
        return leader

    def switchover(self) -> Node:
        """A planned change of primary (as for maintenance): returns the new primary."""
        leader, candidate = self.leader(), self.sync_standby()
        request = urllib.request.Request(
            f"{leader.api}/switchover",
            data=json.dumps({"leader": leader.name, "candidate": candidate.name}).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=60).close()
        return self.wait_for_leader(other_than=leader)

    def create_database(self, name: str) -> None:
        self.psql(f'CREATE DATABASE "{name}"')

    def psql(self, sql: str, database: str = "postgres") -> str:
        leader = self.wait_for_leader()
        return _psql(self.bin_dir, leader.pg_port, sql, database)

    def base_backup(self, into: Path) -> None:
        """A base backup of the primary (pg_basebackup, streaming the WAL it needs), the
        starting point of a point-in-time restore."""
        leader = self.wait_for_leader()
        into.mkdir(parents=True)
        _owned_by_postgres(into)
        subprocess.run(
            [str(self.bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(leader.pg_port)]
            + ["-U", "postgres", "-D", str(into), "--wal-method=stream", "--checkpoint=fast"],
            check=True,
            capture_output=True,
            **_as_postgres_user(),
        )

    @staticmethod
    def _wait(ready, timeout: float, describe=lambda: "") -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout} s. {describe()}")
            time.sleep(0.2)


def _psql(bin_dir: Path, port: int, sql: str, database: str = "postgres") -> str:
    answer = subprocess.run(
        [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        + ["-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return answer.stdout.strip()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def restored_to_point_in_time(backup: Path, archive: Path, target_time: str, into: Path):
    """A PostgreSQL started from `backup` (a copy of it is made in `into`), replaying the
    archived WAL up to `target_time` (e.g. '2026-12-05 14:03:00+00') and no further; yields
    its port, stops it afterwards. The restored server ends recovery as a primary on a
    new timeline, so nothing it does reaches the cluster's archive: it archives nowhere."""
    bin_dir = postgres_bin_dir()
    shutil.copytree(backup, into, symlinks=True)
    for path in (into, *into.rglob("*")):
        _owned_by_postgres(path)
    into.chmod(0o700)  # PostgreSQL refuses a data folder others can read
    port = free_port()
    settings = {
        "restore_command": f"cp {archive}/%f %p",
        "recovery_target_time": target_time,
        "recovery_target_action": "promote",
        "archive_mode": "off",
        "port": port,
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": into,
        "synchronous_standby_names": "",
    }
    with (into / "postgresql.auto.conf").open("a") as config:
        config.writelines(f"{name} = '{value}'\n" for name, value in settings.items())
    (into / "recovery.signal").touch()
    (into / "standby.signal").unlink(missing_ok=True)
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(into), "-l", str(into / "restore.log")]
    started = subprocess.run([*pg_ctl, "-w", "-t", "120", "start"], **_as_postgres_user())
    if started.returncode != 0:
        log = (into / "restore.log").read_text(errors="replace")
        raise RuntimeError(f"the restored server did not start:\n{log[-3000:]}")
    try:
        # Started is not yet restored: wait for recovery to reach the target and promote.
        deadline = time.monotonic() + 120
        while _psql(bin_dir, port, "SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise TimeoutError(f"the restore did not finish; see {into / 'restore.log'}")
            time.sleep(0.2)
        yield port
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], check=False, **_as_postgres_user())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the cluster and keep it running until Ctrl-C")
    up.add_argument("--folder", type=Path, help="where its data goes (kept afterwards)")
    restore = commands.add_parser("restore", help="a point-in-time restore, kept running")
    restore.add_argument("--backup", type=Path, required=True, help="a pg_basebackup folder")
    restore.add_argument("--archive", type=Path, required=True, help="the WAL archive")
    restore.add_argument("--to", required=True, help="the time to stop at, with its zone")
    restore.add_argument("--into", type=Path, required=True, help="a new data folder")
    args = parser.parse_args()
    if missing := missing_tools():
        sys.exit(f"missing: {', '.join(missing)} (apt-get install -y patroni etcd-server)")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C
    if args.command == "up":
        cluster = Cluster(args.folder, keep=args.folder is not None)
        try:
            cluster.start()
            cluster.create_database("plans")
            print(f"cluster in {cluster.folder}")
            for member in cluster.members():
                node = cluster.node(member["name"])
                print(f"  {member['name']}: {member['role']}, PostgreSQL on port {node.pg_port}")
            print(f"DATABASE_URL={cluster.database_url('plans')}")
            print(f"patronictl: patronictl -c {cluster.nodes[0].folder}/patroni.yml list")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()
    else:
        with restored_to_point_in_time(args.backup, args.archive, args.to, args.into) as port:
            print(f"restored as of {args.to}: postgresql://postgres@127.0.0.1:{port}/postgres")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)


if __name__ == "__main__":
    main()
