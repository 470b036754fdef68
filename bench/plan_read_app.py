"""The real app plus one bare endpoint for the plan read benchmark: it returns a plan's JSON
from memory, with no sign-in and no database, so the benchmark can compare the real plan
read against the cheapest possible FastAPI response of the same body on the same server.

The body is PUT, or, with several worker processes (a PUT reaches only one), read on first
use from the file named by BENCH_BARE_PLAN_FILE."""

import json
import os
from pathlib import Path
from typing import Any

from app.main import create_app

app = create_app()
_plan_in_memory: dict[str, Any] = {}


def put_bare_plan(plan: dict[str, Any]) -> None:
    _plan_in_memory.clear()
    _plan_in_memory.update(plan)


def get_bare_plan() -> dict[str, Any]:
    if not _plan_in_memory and os.environ.get("BENCH_BARE_PLAN_FILE"):
        _plan_in_memory.update(json.loads(Path(os.environ["BENCH_BARE_PLAN_FILE"]).read_text()))
    return _plan_in_memory


app.add_api_route("/bench/bare-plan", put_bare_plan, methods=["PUT"], status_code=204)
app.add_api_route("/bench/bare-plan", get_bare_plan, methods=["GET"])
# The PWA is mounted at "/" and would shadow routes added after it: move ours first.
bench_routes = [r for r in app.router.routes if getattr(r, "path", "").startswith("/bench/")]
app.router.routes[:] = bench_routes + [r for r in app.router.routes if r not in bench_routes]
