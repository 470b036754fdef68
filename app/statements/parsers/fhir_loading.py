"""A FHIR statement's bytes, read as JSON and validated as a FHIR R4 resource
(`fhir.resources.R4B`, see fhir.py), or refused with where it went wrong."""

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError

from app.statements.parsers.base import unreadable

READABLE_TYPES = ("Bundle", "Composition", "CarePlan", "Consent")
MAX_REPORTED_ERRORS = 20


def load_json(data: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise unreadable(
            "This JSON file is not UTF-8 text. Export it again as UTF-8.", f"byte {error.start}"
        ) from error
    except json.JSONDecodeError as error:
        raise unreadable(
            f"This file is not valid JSON ({error.msg}). Export it again from the system it "
            "came from.",
            f"line {error.lineno}, column {error.colno}",
        ) from error
    except RecursionError as error:
        raise unreadable("This JSON is nested too deeply to read.", "whole file") from error
    if not isinstance(raw, dict) or "resourceType" not in raw:
        raise unreadable(
            "This JSON is not a FHIR resource (it has no resourceType). Send a FHIR R4 "
            "document or collection Bundle, a Composition, CarePlan or Consent.",
            "resourceType",
        )
    if raw["resourceType"] not in READABLE_TYPES:
        raise unreadable(
            f"A FHIR {raw['resourceType']} is not a crisis statement we can read. Send a "
            "document or collection Bundle, a Composition, a CarePlan or a Consent.",
            "resourceType",
            415,
        )
    return raw


def _fhir_path(resource_type: str, location: tuple) -> str:
    path = resource_type
    for step in location:
        if step == "root":  # pydantic's name for a wrapped value, not a FHIR element
            continue
        path += f"[{step}]" if isinstance(step, int) else f".{step}"
    return path


def validated(raw: dict[str, Any]) -> FHIRAbstractModel:
    resource_type = raw["resourceType"]
    try:
        return get_fhir_model_class(resource_type).model_validate(raw)
    except ValidationError as error:
        errors = [
            {"where": _fhir_path(resource_type, e["loc"]), "message": e["msg"]}
            for e in error.errors()[:MAX_REPORTED_ERRORS]
        ]
        first = errors[0]
        raise unreadable(
            f"This is not valid FHIR R4: {first['where']}: {first['message']}. Correct it in "
            "the system it came from and export it again.",
            first["where"],
            errors=errors,
        ) from error
    except (KeyError, ValueError, TypeError) as error:
        # fhir.resources raises KeyError for an unknown resourceType inside the resource.
        raise unreadable(
            f"This is not valid FHIR R4: it names something FHIR R4 does not have ({error}).",
            resource_type,
        ) from error
