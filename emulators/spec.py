"""Validate Twilio emulator responses against Twilio's own OpenAPI description.

OpenAPI 3.0 schemas are not quite JSON Schema: ``nullable: true`` becomes a ``null`` type,
and a ``$ref`` with siblings means only the reference. Objects are checked strictly
(``additionalProperties: false``) so the emulator cannot invent fields Twilio never sends.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SPEC_PATH = Path(__file__).parent / "spec" / "twilio_verify_v2.json"

# Twilio's error body, as sent with every 4xx/5xx (the spec documents it on 429 only).
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "more_info": {"type": "string"},
        "status": {"type": "integer"},
    },
    "additionalProperties": False,
}


def _to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {k: _to_json_schema(v) for k, v in node.items() if k not in ("x-twilio", "example")}
    if "$ref" in node:
        ref = {"$ref": node["$ref"]}
        return {"anyOf": [ref, {"type": "null"}]} if node.get("nullable") else ref
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


@cache
def _spec() -> dict[str, Any]:
    spec = json.loads(SPEC_PATH.read_text())
    spec["components"] = _to_json_schema(spec["components"])
    return spec


def _path_regex(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The spec's schema for this response, or None when the spec documents no body."""
    spec = _spec()
    for template, operations in spec["paths"].items():
        if not _path_regex(template).match(path):
            continue
        operation = operations.get(method.lower())
        if operation is None:
            continue
        response = operation["responses"].get(str(status))
        if response is None:
            raise AssertionError(f"{method} {template} documents no {status} response")
        content = response.get("content", {}).get("application/json")
        return _to_json_schema(content["schema"]) if content else None
    raise AssertionError(f"{method} {path} is not in Twilio's Verify v2 spec")


_formats = jsonschema.FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


@_formats.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if isinstance(value, str) and not re.match(r"https?://", value):
        raise ValueError(value)
    return True


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless the response matches Twilio's spec."""
    if status >= 400:
        jsonschema.validate(body, ERROR_SCHEMA)
        return
    schema = response_schema(method, path, status)
    if schema is None:
        assert body is None, f"{method} {path} {status} must have no body"
        return
    root = {**copy.deepcopy(schema), "components": _spec()["components"]}
    jsonschema.Draft202012Validator(root, format_checker=_formats).validate(body)


def validate_exchanges(emulator: Any) -> int:
    """Validate every Verify response the emulator has sent; return how many were checked."""
    checked = 0
    for exchange in emulator.exchanges:
        reply = exchange.reply
        if reply is None or not exchange.request.path.startswith("/v2/"):
            continue
        if isinstance(reply.body, bytes):  # a fault switch (garbage, 5xx page), not Twilio
            continue
        validate_response(exchange.request.method, exchange.request.path, reply.status, reply.body)
        checked += 1
    return checked
