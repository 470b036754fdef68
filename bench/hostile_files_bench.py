"""Benchmark: hostile files against the real server (uvicorn, SQLite in a temporary folder).

Targets (docs/imports.md, "Files that could harm the server"):
  * each hostile file answered (with a 4xx problem) within 5 s;
  * the server process's resident memory (VmRSS from /proc) grows by less than 100 MiB;
  * ordinary plan reads keep being answered while three bombs upload at once.

The files come from tests/helpers/hostile_files.py, plus two at the size the outside test
used: a 1 MB Word file whose headers under-declare a member that unpacks to 1 GiB, and the
PDF with active content (stored, with a warning). Also printed:
the peak memory of the parsing processes (children of the server's forkserver), which is
where a bomb's cost lands. (A Word file just under the XML node limit, which the checks
pass, shows how long the slowest acceptable file holds a parsing process.)

    .venv/bin/python bench/hostile_files_bench.py            # 1 and 2 uvicorn workers
    .venv/bin/python bench/hostile_files_bench.py --quick    # 1 worker only

Not a test: it asserts nothing. Results also go to bench/results/hostile_files.json.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server import running_server, save_result, sign_in  # noqa: E402
from tests.helpers import hostile_files as corpus  # noqa: E402

EMAIL, PASSWORD = "hostile.bench@example.org", "correct horse battery staple"
TARGET_SECONDS = 5
TARGET_GROWTH_MIB = 100


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in lines if ":" in line)


def _rss_mib(pid: int) -> float:
    rss = _status(pid).get("VmRSS", "0 kB").split()[0]
    return int(rss) / 1024


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: its parent and command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            except (OSError, IndexError):
                continue
            found[int(entry)] = (parent, command.decode(errors="replace"))
    return found


def _descendants(pid: int, processes: dict[int, tuple[int, str]]) -> list[int]:
    children = [child for child, (parent, _) in processes.items() if parent == pid]
    return children + [d for child in children for d in _descendants(child, processes)]


def _app_processes() -> list[int]:
    """The uvicorn processes that serve requests: the one process with one worker, else its
    worker processes (not the forkservers, their children or resource trackers)."""
    processes = _processes()
    (server,) = [
        pid
        for pid in _descendants(os.getpid(), processes)
        if "uvicorn" in processes[pid][1] and processes[pid][0] == os.getpid()
    ]
    workers = [
        pid
        for pid, (parent, command) in processes.items()
        if parent == server
        and "multiprocessing" in command
        and "forkserver" not in command
        and "resource_tracker" not in command
    ]
    return workers or [server]


def _parsing_processes() -> list[int]:
    processes = _processes()
    return [
        pid
        for pid in _descendants(os.getpid(), processes)
        if "forkserver" in processes[processes[pid][0]][1]
    ]


class MemoryWatch:
    """Samples the app processes' and the parsing processes' resident memory every 10 ms."""

    def __init__(self, app_pids: list[int]) -> None:
        self.app_pids = app_pids
        self.app_peak = self.parsing_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def app_now(self) -> float:
        return sum(_rss_mib(pid) for pid in self.app_pids)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.app_peak = max(self.app_peak, self.app_now())
            for pid in _parsing_processes():
                self.parsing_peak = max(self.parsing_peak, _rss_mib(pid))
            time.sleep(0.01)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def _upload(base: str, token: str, plan_id: str, name: str, data: bytes) -> tuple[int, float, str]:
    """Status, seconds, and the start of the problem's detail (if refused)."""
    started = time.perf_counter()
    response = httpx.post(
        f"{base}/api/v1/plans/{plan_id}/imports",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, data, "application/octet-stream")},
        timeout=120,
    )
    seconds = time.perf_counter() - started
    detail = response.json().get("detail", "")[:48] if response.status_code >= 400 else ""
    return response.status_code, seconds, detail


def hostile_files() -> list[tuple[str, str, bytes]]:
    files = [(label, name, build()) for label, name, build, *_ in corpus.HOSTILE_FILES]
    files.append(
        (
            "1 MB Word, headers say 1 KiB, unpacks to 1 GiB",
            "plan.docx",
            corpus.under_declared_docx(1024),
        )
    )
    files.append(("PDF with JavaScript, Launch, embedded file", "plan.pdf", corpus.active_pdf()))
    files.append(
        ("Word just under the XML limit (slow to read)", "plan.docx", corpus.near_limit_docx())
    )
    return files


def run(workers: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/bench.db"
        with running_server(database_url, workers=workers) as base:
            httpx.post(
                f"{base}/api/v1/auth/register",
                json={"email": EMAIL, "password": PASSWORD, "display_name": "Sam Taylor"},
            ).raise_for_status()
            token = sign_in(base, EMAIL, PASSWORD)
            headers = {"Authorization": f"Bearer {token}"}
            plan = httpx.post(
                f"{base}/api/v1/plans", headers=headers, json={"template": "green_book"}
            ).json()
            app_pids = _app_processes()
            # Warm up: an ordinary file in each worker starts its forkserver.
            for _ in range(workers * 3):
                status, *_ = _upload(base, token, plan["id"], "plan.pdf", corpus.statement_pdf())
                assert status == 201, status
            files = hostile_files()
            result: dict = {"workers": workers, "files": [], "load_average": os.getloadavg()}
            with MemoryWatch(app_pids) as watch:
                before = watch.app_now()
                for label, name, data in files:
                    status, seconds, detail = _upload(base, token, plan["id"], name, data)
                    row = {
                        "file": label,
                        "bytes": len(data),
                        "status": status,
                        "seconds": round(seconds, 2),
                        "detail": detail,
                    }
                    result["files"].append(row)
                    print(f"  {label:50} {len(data):>10,} B {status} {seconds:5.2f} s  {detail}")
                time.sleep(0.2)
                result["app_rss_before_mib"] = round(before, 1)
                result["app_rss_peak_mib"] = round(watch.app_peak, 1)
                result["app_rss_after_mib"] = round(watch.app_now(), 1)
                result["parsing_process_peak_mib"] = round(watch.parsing_peak, 1)

            # Three bombs at once, and a reader reading the plan all the while.
            # Under-declared sizes (100 MiB and 1 GiB) and the wide XML.
            bombs = [files[0], files[len(corpus.HOSTILE_FILES)], files[3]]
            answers: list[tuple[int, float]] = []
            reads: list[float] = []
            failed_reads = 0
            with MemoryWatch(app_pids) as watch:
                before = watch.app_now()
                threads = [
                    threading.Thread(
                        target=lambda n=name, d=data: answers.append(
                            _upload(base, token, plan["id"], n, d)
                        )
                    )
                    for _, name, data in bombs
                ]
                for thread in threads:
                    thread.start()
                with httpx.Client(headers=headers) as reader:
                    while any(thread.is_alive() for thread in threads):
                        started = time.perf_counter()
                        response = reader.get(f"{base}/api/v1/plans/{plan['id']}")
                        reads.append((time.perf_counter() - started) * 1000)
                        failed_reads += response.status_code != 200
                for thread in threads:
                    thread.join()
                result["three_at_once"] = {
                    "statuses": sorted(answer[0] for answer in answers),
                    "slowest_answer_seconds": round(max(answer[1] for answer in answers), 2),
                    "reads": len(reads),
                    "failed_reads": failed_reads,
                    "read_p50_ms": round(statistics.median(reads), 1),
                    "read_max_ms": round(max(reads), 1),
                    "app_rss_before_mib": round(before, 1),
                    "app_rss_peak_mib": round(watch.app_peak, 1),
                    "parsing_process_peak_mib": round(watch.parsing_peak, 1),
                }
            result["parsing_processes_left"] = len(_parsing_processes())
            imports = httpx.get(f"{base}/api/v1/plans/{plan['id']}/imports", headers=headers)
            result["imports_stored"] = len(imports.json())
    return result


def _met(condition: bool) -> str:
    return "met" if condition else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one uvicorn worker only")
    runs = [1] if parser.parse_args().quick else [1, 2]
    results = []
    for workers in runs:
        print(f"uvicorn with {workers} worker(s); load average {os.getloadavg()[0]:.1f}:")
        result = run(workers)
        results.append(result)
        together = result["three_at_once"]
        growth = max(
            result["app_rss_peak_mib"] - result["app_rss_before_mib"],
            together["app_rss_peak_mib"] - together["app_rss_before_mib"],
        )
        # The last file is no bomb: it shows how long the slowest file the checks pass takes.
        slowest = max(row["seconds"] for row in result["files"][:-1])
        reads_met = together["reads"] > 0 and together["failed_reads"] == 0
        print(
            f"  app RSS {result['app_rss_before_mib']} MiB before, peak "
            f"{result['app_rss_peak_mib']}, after {result['app_rss_after_mib']}; "
            f"parsing process peak (sampled) {result['parsing_process_peak_mib']} MiB"
        )
        print(
            f"  three at once: {together['statuses']} in {together['slowest_answer_seconds']} s; "
            f"{together['reads']} reads meanwhile, {together['failed_reads']} failed, p50 "
            f"{together['read_p50_ms']} ms, max {together['read_max_ms']} ms; app RSS peak "
            f"{together['app_rss_peak_mib']} MiB (from {together['app_rss_before_mib']})"
        )
        print(
            f"  targets: each answered within {TARGET_SECONDS} s: {_met(slowest < TARGET_SECONDS)}"
            f" (slowest {slowest} s); RSS growth under {TARGET_GROWTH_MIB} MiB: "
            f"{_met(growth < TARGET_GROWTH_MIB)} (+{growth:.1f}); reads answered during three "
            f"bombs: {_met(reads_met)}; parsing processes left: {result['parsing_processes_left']}"
            f"; imports stored: {result['imports_stored']} ({workers * 3} warm-up files and the "
            "PDF with active content)"
        )
    save_result("hostile_files", results, quick=runs == [1])


if __name__ == "__main__":
    main()
