"""What every benchmark needs: the real server (uvicorn, one worker) in a subprocess on a free
loopback port, signing in, and wrk's figures read from its output."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    database_url: str, app: str = "app.main:app", env: dict[str, str] | None = None
) -> Iterator[str]:
    """Migrates the database, starts uvicorn as production would (one worker, no access
    log) and yields its base URL; stops it afterwards."""
    environment = (
        os.environ
        | {
            "DATABASE_URL": database_url,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PYTHONPATH": str(ROOT),
        }
        | (env or {})
    )
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=environment, cwd=ROOT, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", "1", "--no-access-log", "--log-level", "warning"],
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


def _milliseconds(match: re.Match) -> float:
    scale = {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
    return round(float(match.group(1)) * scale, 2)


def wrk(url: str, token: str | None, seconds: int, connections: int) -> dict:
    """Requests per second and latency percentiles from one wrk run; any non-2xx response
    stops the benchmark, since a figure over failed requests means nothing."""
    headers = ["-H", f"Authorization: Bearer {token}"] if token else []
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if failed:
        raise RuntimeError(f"wrk got {failed.group(1)} failed responses from {url}:\n{out}")
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": _milliseconds(re.search(r"50%\s+([\d.]+)(us|ms|s)", out)),
        "p99_ms": _milliseconds(re.search(r"99%\s+([\d.]+)(us|ms|s)", out)),
    }
