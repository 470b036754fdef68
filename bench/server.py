"""What every benchmark needs: an empty or migrated database, the real server (uvicorn, one
worker unless told) in a subprocess on a free loopback port, signing in, and wrk's figures
read from its output."""

import base64
import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Seeding writes plan data from the benchmark's process and the server reads it in another,
# so both need the same encryption key, also across runs. Made-up people: a fixed key will do.
os.environ.setdefault(
    "ENCRYPTION_KEY",
    base64.urlsafe_b64encode(hashlib.sha256(b"benchmark data only").digest()).decode(),
)

from app.core.db import build_engine  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def empty_database(database_url: str, reset: bool) -> None:
    """Makes sure the database is empty: one that holds tables is refused unless `reset`,
    which drops PostgreSQL's public schema or deletes the SQLite file."""
    engine = build_engine(database_url)
    existing = inspect(engine).get_table_names()
    if existing and not reset:
        sys.exit(f"{database_url} is not empty; pass --reset to drop its public schema first.")
    if existing and engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    if existing and engine.dialect.name == "sqlite":
        database = Path(make_url(database_url).database)
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)


def _environment(database_url: str, env: dict[str, str] | None) -> dict[str, str]:
    return (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "APP_ENV": "production",
            "PUBLIC_BASE_URL": "https://plans.example.org",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PYTHONPATH": str(ROOT),
        }
        | (env or {})
    )


def migrate(database_url: str, env: dict[str, str] | None = None) -> None:
    """Brings the database to the newest schema, as the app's own `migrate` command does."""
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        env=_environment(database_url, env),
        cwd=ROOT,
        check=True,
    )


@contextmanager
def running_server(
    database_url: str,
    app: str = "app.main:app",
    env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """Migrates the database, starts uvicorn as production would (one worker unless told,
    no access log) and yields its base URL; stops it afterwards."""
    environment = _environment(database_url, env)
    migrate(database_url, environment)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in(base: str, email: str, password: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": email, "password": password}
    )
    response.raise_for_status()
    return response.json()["access_token"]


def timing_summary(milliseconds: list[float], seconds: float) -> dict:
    """Requests per second and latency percentiles of requests timed by a benchmark itself."""
    ordered = sorted(milliseconds)

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)

    return {
        "requests_per_second": round(len(ordered) / seconds, 1),
        "requests": len(ordered),
        "p50_ms": percentile(0.5) if ordered else None,
        "p99_ms": percentile(0.99) if ordered else None,
    }


def _milliseconds(match: re.Match) -> float:
    scale = {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
    return round(float(match.group(1)) * scale, 2)


def wrk(
    url: str,
    token: str | None,
    seconds: int,
    connections: int,
    *,
    threads: int = 2,
    script: Path | None = None,
    script_args: list[str] | None = None,
    timeout_seconds: int = 2,
) -> dict:
    """Requests per second and latency percentiles from one wrk run (with a Lua `script`, if
    given, and its `script_args`); any non-2xx response stops the benchmark, since a figure
    over failed requests means nothing. Requests unanswered after `timeout_seconds` are left
    out of wrk's figures, so their count is given when there are any."""
    headers = ["-H", f"Authorization: Bearer {token}"] if token else []
    options = [f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_seconds}s"]
    options += ["-s", str(script)] if script else []
    arguments = ["--", *script_args] if script_args else []
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        ["wrk", *options, "--latency", *headers, url, *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if failed:
        raise RuntimeError(f"wrk got {failed.group(1)} failed responses from {url}:\n{out}")
    socket_errors = re.search(r"Socket errors:.*timeout (\d+)", out)
    timeouts = int(socket_errors.group(1)) if socket_errors else 0
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": _milliseconds(re.search(r"50%\s+([\d.]+)(us|ms|s)", out)),
        "p99_ms": _milliseconds(re.search(r"99%\s+([\d.]+)(us|ms|s)", out)),
    } | ({"timeouts": timeouts} if timeouts else {})


def save_result(name: str, result, *, quick: bool) -> None:
    """Writes a benchmark's figures to bench/results/<name>.json, with the day they were
    measured and whether the run was quick or full: the one place figures are kept (the
    code's comments point here), committed with the code they measured."""
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    record = {
        "benchmark": name,
        "run": "quick" if quick else "full",
        "date": datetime.now(UTC).date().isoformat(),
        "figures": result,
    }
    (out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
