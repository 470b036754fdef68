"""Benchmark: importing a ~100 KB FHIR Bundle and a ~2 MB PDF crisis statement.

For each file it measures, separately:
  parse  - reading the file into proposed parts (app.statements.parsers.parse_upload)
  upload - the whole HTTP request: multipart upload, parsing, storing the import, its parts
           and the original file (in-process TestClient, SQLite in a temporary folder)
Each is timed (median and worst of the runs, untraced), then run once more under
tracemalloc for its peak Python allocation; the process's peak resident size (which also
counts native memory, e.g. pydantic-core's and zlib's) is printed at the end.

    .venv/bin/python bench/import_bench.py            # 5 runs each (about 40 s)
    .venv/bin/python bench/import_bench.py --quick    # 1 run each (about 20 s)

Not a test: it asserts nothing about speed. Results also go to bench/results/ as JSON.
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient
from fpdf import FPDF
from PIL import Image
from sqlmodel import SQLModel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app.models  # noqa: E402, F401  (every table)
from app.core.config import Settings  # noqa: E402
from app.main import close_database_pools, create_app  # noqa: E402
from app.plans.templates import CRISIS_FIELDS  # noqa: E402
from app.statements.parsers import parse_upload  # noqa: E402
from bench.server import save_result  # noqa: E402

SAMPLE = (
    "I would like people to speak slowly and calmly and to tell me what is happening "
    "before they do it. My sister knows me best and can explain what helps when I find "
    "it hard to talk. Please keep the lights low and let me keep my headphones with me."
)
WORDS = SAMPLE.split()
FONT = Path(Settings().print_font_dir)


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def fhir_bundle(target_bytes: int = 100_000) -> bytes:
    """A mental health advance directive: a section per crisis field, each with paragraphs
    of narrative, until the JSON reaches the target size."""
    rng = random.Random(4)
    xhtml = "http://www.w3.org/1999/xhtml"
    sections = [{"title": label, "paragraphs": []} for label in CRISIS_FIELDS.values()]

    def build() -> bytes:
        composition = {
            "resourceType": "Composition",
            "status": "final",
            "type": {"coding": [{"system": "http://loinc.org", "code": "104144-1"}]},
            "subject": {"reference": "urn:uuid:patient"},
            "date": "2026-03-02",
            "author": [{"display": "Dr Ana Okafor"}],
            "title": "Mental health advance directive",
            "section": [
                {
                    "title": s["title"],
                    "text": {
                        "status": "additional",
                        "div": f'<div xmlns="{xhtml}">'
                        + "".join(f"<p>{p}</p>" for p in s["paragraphs"])
                        + "</div>",
                    },
                }
                for s in sections
                if s["paragraphs"]
            ],
        }
        bundle = {
            "resourceType": "Bundle",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:bench"},
            "type": "document",
            "timestamp": "2026-03-02T10:00:00Z",
            "entry": [
                {"fullUrl": "urn:uuid:composition", "resource": composition},
                {
                    "fullUrl": "urn:uuid:patient",
                    "resource": {"resourceType": "Patient", "name": [{"text": "Sam Taylor"}]},
                },
            ],
        }
        return json.dumps(bundle, indent=1).encode()

    data = build()
    while len(data) < target_bytes:
        rng.choice(sections)["paragraphs"].append(_paragraph(rng, 40))
        data = build()
    return data


def pdf_document(target_bytes: int = 2_000_000) -> bytes:
    """40 pages of crisis-plan text under headings, and a scanned page (an image) that
    brings the file to about the target size, as a signed letter often has."""
    text_only = _pdf(scan_side=0)
    return _pdf(scan_side=int((max(target_bytes - len(text_only), 0) / 3) ** 0.5))


def _pdf(scan_side: int) -> bytes:
    rng = random.Random(7)
    pdf = FPDF(unit="mm", format=(210, 297))
    pdf.add_font("Sans", "", FONT / "DejaVuSans.ttf")
    pdf.add_font("Sans", "B", FONT / "DejaVuSans-Bold.ttf")
    labels = list(CRISIS_FIELDS.values())
    for page in range(40):
        pdf.add_page()
        pdf.set_font("Sans", "B", 13)
        pdf.multi_cell(0, 7, labels[page % len(labels)], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Sans", "", 11)
        for _ in range(3):
            pdf.multi_cell(0, 5.5, _paragraph(rng, 90), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    if scan_side:
        noise = rng.randbytes(scan_side * scan_side * 3)  # does not compress, like a scan
        image = BytesIO()
        Image.frombytes("RGB", (scan_side, scan_side), noise).save(image, format="PNG")
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def measure(action, runs: int) -> dict:
    """Timed runs without tracing (tracemalloc slows Python several times over), then one
    traced run for the peak of Python's own allocations (not those inside native code)."""
    action()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "worst_ms": round(max(times) * 1000, 1),
        "python_peak_mib": round(peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each (a smoke check)")
    args = parser.parse_args()
    runs = 1 if args.quick else 5

    files = {
        "FHIR Bundle": ("directive.json", fhir_bundle(), "application/fhir+json"),
        "PDF": ("letter.pdf", pdf_document(), "application/pdf"),
    }
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            app_env="test",
            database_url=f"sqlite:///{folder}/bench.db",
            secret_key="bench-secret-key-" + "x" * 32,
        )
        app = create_app(settings)
        SQLModel.metadata.create_all(app.state.engine)
        with TestClient(app) as client:
            client.post(
                "/api/v1/auth/register",
                json={
                    "email": "sam@example.org",
                    "password": "a long pass phrase",
                    "display_name": "Sam",
                },
            )
            token = client.post(
                "/api/v1/auth/token",
                data={"username": "sam@example.org", "password": "a long pass phrase"},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            plan = client.post("/api/v1/plans", json={"template": "wrap"}, headers=headers).json()

            results = {}
            for label, (name, data, content_type) in files.items():
                parts = len(parse_upload(data, name, content_type).parts)

                def upload(name=name, data=data, content_type=content_type) -> None:
                    response = client.post(
                        f"/api/v1/plans/{plan['id']}/imports",
                        files={"file": (name, data, content_type)},
                        headers=headers,
                    )
                    assert response.status_code == 201, response.text

                results[label] = {
                    "bytes": len(data),
                    "parts": parts,
                    "parse": measure(
                        lambda n=name, d=data, c=content_type: parse_upload(d, n, c), runs
                    ),
                    "upload": measure(upload, runs),
                }
        close_database_pools(app)

    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Import benchmark ({'quick, ' if args.quick else ''}{runs} run(s) each, after a warm-up)"
    )
    print(
        f"{'file':<12} {'size':>10} {'parts':>6} {'step':<7} {'median':>9} {'worst':>9} "
        f"{'py peak':>9}"
    )
    for label, result in results.items():
        for step in ("parse", "upload"):
            figures = result[step]
            print(
                f"{label:<12} {result['bytes'] / 1000:>8.0f}kB {result['parts']:>6} {step:<7} "
                f"{figures['median_ms']:>7.0f}ms {figures['worst_ms']:>7.0f}ms "
                f"{figures['python_peak_mib']:>6.1f}MiB"
            )
    print(f"process peak resident size: {max_rss_mib:.0f} MiB ({os.cpu_count()} CPUs)")
    save_result(
        "import_bench", {"quick": args.quick, "results": results, "max_rss_mib": max_rss_mib}
    )


if __name__ == "__main__":
    main()
