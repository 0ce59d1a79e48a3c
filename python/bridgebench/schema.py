"""The results file's schema: its version, a JSON Schema (draft 2020-12) and `validate`.

This module is the one source of truth: `docs/results-schema.json` is generated from it
(`python -m bridgebench.schema > docs/results-schema.json`; a test keeps them equal), and
docs/RESULTS.md explains the fields. The validator is hand-written (a few dozen lines for
the keywords the schema uses) so reading results needs no extra dependency; its errors
name the JSON path of the offending value, e.g. `$.cells[3].median_ns`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

VERSION = "bridgebench.results/4"
# Versions 1 and 2 are not read: their `median_ns` is a time brought to a nominal machine
# speed, not a time the machine took. Version 3's Python-side ratios are a median over a
# median of samples taken seconds apart, not pairs of samples taken side by side: they
# do not compare with version 4's.
READABLE = (VERSION,)

_NS = {"type": "number", "minimum": 0}
_COUNT = {"type": "integer", "minimum": 0}
_SECONDS = {"type": ["number", "null"], "minimum": 0}
_INTERVAL = {
    "type": "array",
    "prefixItems": [{"type": "number"}, {"type": "number"}],
    "minItems": 2,
    "maxItems": 2,
}


def _many(item: dict[str, Any]) -> dict[str, Any]:
    """One value, or one per worker process (the pooled record keeps each process's)."""
    return {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}


_CELL_PROPERTIES: dict[str, Any] = {
    # identity
    "side": {"enum": ["python", "rust"]},
    "bridge": {"type": "string", "minLength": 1},
    "cell": {"type": "string", "minLength": 1},
    "size": {"type": ["integer", "null"], "minimum": 0},
    "status": {"enum": ["ok", "n/a", "error"]},
    "reason": {"type": "string"},  # status n/a: why the bridge cannot cover the cell
    "error": {"type": "string"},  # status error: what went wrong
    "source": {"type": "string"},  # who measured it: "criterion" for the Rust side
    "label": {"type": "string", "minLength": 1},  # merged files: the source environment
    "source_index": _COUNT,  # merged files: index into `sources`
    # time per call
    "median_ns": _NS,
    "quartiles_ns": _INTERVAL,
    "iqr_ns": _NS,
    "ci95_ns": _INTERVAL,
    "flags": {"type": "array", "items": {"type": "string"}},
    # every sample as measured, per round (a worker process, or a criterion pass)
    "round_samples_ns": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "number"}},
    },
    "rounds": {"type": "integer", "minimum": 1},
    # the floor's samples, each taken right beside the sample of round_samples_ns at the
    # same place (the Python side: harness/worker.py), and the floor's calls per sample
    "round_floor_ns": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "number"}},
    },
    "floor_loops": {"type": "integer", "minimum": 1},
    # the ratio to the side's floor bridge (`ratio_to`) for the same size: the median of
    # the pairs' ratios where the record has round_floor_ns, else median_ns over the
    # floor's median_ns; and its 95 % interval, resampling rounds (bridgebench.figures)
    "ratio": {"type": "number", "minimum": 0},
    "ratio_ci95": _INTERVAL,
    "ratio_to": {
        "type": "object",
        "required": ["bridge", "cell"],
        "properties": {"bridge": {"type": "string"}, "cell": {"type": "string"}},
        "additionalProperties": False,
    },
    "criterion_median_ns": _NS,  # the Rust side: criterion's own median, every sample
    # `examples` only: the median of the samples of the `ratio_to` bridge's call taken
    # beside this record's (its `beside` bridge: benches/bridges.toml [[example]])
    "beside_median_ns": _NS,
    "loops": _many({"type": "integer", "minimum": 1}),
    "loop_overhead_ns": _many({"type": "number"}),
    "throughput": {"type": "object"},  # criterion's, e.g. {"elements": 1000}
    # memory per call
    "allocs_per_call": {"type": "number"},
    "reallocs_per_call": {"type": "number"},
    "frees_per_call": {"type": "number"},
    "bytes_per_call": {"type": "number"},
    "live_bytes_per_call": {"type": "number"},
    "copy_factor": {"type": ["number", "null"]},
    "payload_bytes": _COUNT,
    # null on the Rust side: no Python heap is traced there (pyo3-embed's Python objects
    # are in its allocations, the heap going through malloc)
    "tracemalloc_peak_bytes": {"type": ["number", "null"]},
    "peak_rss_bytes": _COUNT,
    "leak": {"enum": ["ok", "leak"]},
    "live_objects_delta": {"type": "number"},
    "live_growth": {"type": "array", "items": {"type": "number"}},  # per loop length
    # the change of the kernel's count of live native objects over each loop (its
    # module's live_objects: bridgebench.kernels); live_holders_growth in older files
    "live_objects_growth": {"type": "array", "items": {"type": "integer"}},
    "live_holders_growth": {"type": "array", "items": {"type": "integer"}},
    # instructions per call (callgrind, difference of two loop lengths)
    "instructions_per_call": {"type": "number"},
    "instructions": {"type": "array", "items": {"type": "integer"}},  # per loop length
    # the two loop lengths N1, N2 of each count run
    "alloc_loops": {"type": "array", "items": {"type": "integer", "minimum": 1}},
    "instruction_loops": {"type": "array", "items": {"type": "integer", "minimum": 1}},
}


def _when(status: str, required: list[str]) -> dict[str, Any]:
    return {"if": {"properties": {"status": {"const": status}}}, "then": {"required": required}}


_ENVIRONMENT = {
    "type": "object",
    "required": ["cpu", "cores", "os", "kernel", "python", "git_commit", "git_dirty", "tools"],
    "properties": {
        "host": {"type": "string"},
        "cpu": {"type": "string"},
        "cores": {"type": "integer", "minimum": 0},
        "cpu_count": {"type": "integer", "minimum": 0},
        "cpu_governor": {"type": "string"},
        "memory_bytes": {"type": ["integer", "null"]},
        "machine": {"type": "string"},
        "os": {"type": "string"},
        "os_release": {"type": "string"},
        "kernel": {"type": "string"},
        "kernel_version": {"type": "string"},
        "glibc": {"type": "string"},
        "python": {"type": "string"},
        "python_implementation": {"type": "string"},
        "python_details": {"type": "object"},
        "numpy": {"type": "string"},
        "pythonhashseed": {"type": "string"},
        "variables": {"type": "object", "additionalProperties": {"type": "string"}},
        "compilers": {"type": "object", "additionalProperties": {"type": "string"}},
        "programs": {"type": "object", "additionalProperties": {"type": "string"}},
        "git_commit": {"type": "string"},
        "git_dirty": {"type": ["boolean", "null"]},
        "build_flags": {"type": "object"},
        "tools": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

_MODE = {"enum": ["quick", "full", "mixed"]}

# What a bridge did with a bad input: the contract's exception (or accepted a valid one),
# what its registry entry declares instead, or an undeclared wrong answer, crash or
# other exception (bridgebench.outcome_matrix.judge).
_OUTCOME_PATTERN = (
    r"^(raised-as-contract|accepted-as-contract|silently-wrong|crashed|mismatch|declared: .+)$"
)

# What a thread probe saw (bridgebench.harness.threads): a buffer cell's call released the
# GIL, held it but the interpreter switched threads inside it (pure Python), held it, or
# neither clearly; every answer exact, or some wrong; throughput measured;
# or the bridge lacks the probe's cell, crashed, hung or failed.
_PROBE_OUTCOMES = (
    "released",
    "switched",
    "held",
    "unclear",
    "exact",
    "wrong",
    "measured",
    "n/a",
    "crash",
    "hang",
    "error",
)

DOCUMENT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://bridgebench.invalid/results-3.schema.json",
    "title": "bridgebench results",
    "description": "One bench run (environment + plan), or several merged (sources).",
    "type": "object",
    "required": ["schema", "created", "mode", "cells"],
    "properties": {
        "schema": {"const": VERSION},
        "created": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T"},
        "mode": _MODE,
        "label": {"type": "string", "minLength": 1},
        "plan": {"type": "object"},
        "machine": {"$ref": "#/$defs/machine"},
        "environment": {"$ref": "#/$defs/environment"},
        "sources": {"type": "array", "items": {"$ref": "#/$defs/source"}, "minItems": 1},
        "cells": {"type": "array", "items": {"$ref": "#/$defs/cell"}},
        # the registry's [[example]] entries, measured beside a bridge's cells (`ratio_to`)
        # but outside the contract: records of the same fields as `cells`, `bridge` being
        # the example's name
        "examples": {"type": "array", "items": {"$ref": "#/$defs/cell"}},
        "models": {"type": "array", "items": {"$ref": "#/$defs/model"}},
        "outcomes": {"type": "array", "items": {"$ref": "#/$defs/outcome"}},
        # what each Python-side bridge with a build step costs to build and ship
        # (`build-figures`, full runs only)
        "builds": {"type": "array", "items": {"$ref": "#/$defs/build"}},
        # how each Python-side bridge behaves under Python threads (harness/threads.py)
        "threads": {"type": "array", "items": {"$ref": "#/$defs/threads"}},
    },
    "additionalProperties": False,
    # A single run carries its environment; a merged file carries every source's.
    "anyOf": [{"required": ["environment", "plan"]}, {"required": ["sources"]}],
    "$defs": {
        "cell": {
            "type": "object",
            "required": ["side", "bridge", "cell", "size", "status"],
            "properties": _CELL_PROPERTIES,
            "additionalProperties": False,
            "allOf": [
                _when("ok", ["median_ns"]),
                _when("n/a", ["reason"]),
                _when("error", ["error"]),
            ],
        },
        "model": {
            "type": "object",
            "required": ["bridge", "cell", "fixed_ns", "per_unit_ns", "unit"],
            "properties": {
                "side": {"enum": ["python", "rust"]},
                "bridge": {"type": "string", "minLength": 1},
                "cell": {"type": "string", "minLength": 1},
                "fixed_ns": {"type": "number"},
                "per_unit_ns": {"type": "number"},
                "unit": {"type": "string"},
                "sizes": {"type": "array", "items": _COUNT},
                "rms_rel_error": {"type": "number", "minimum": 0},
                "max_rel_error": {"type": "number", "minimum": 0},
                # Python side, against the reference's model of `reference_cell`:
                # the bridge is faster from crossover_n on (0: always; null: never)
                "reference_cell": {"type": "string"},
                "crossover_n": {"type": ["integer", "null"], "minimum": 0},
                "faster_below_n": {"type": ["integer", "null"], "minimum": 0},
                "label": {"type": "string", "minLength": 1},
                "source_index": _COUNT,
            },
        },
        # A bad-input case run through one Python-side bridge (bridgebench.outcome_matrix)
        "outcome": {
            "type": "object",
            "required": ["bridge", "kernel", "case", "cell", "outcome", "detail"],
            "properties": {
                "bridge": {"type": "string", "minLength": 1},
                "kernel": {"type": "string", "minLength": 1},
                "case": {"type": "string", "minLength": 1},
                "cell": {"type": "string", "minLength": 1},
                "outcome": {"type": "string", "pattern": _OUTCOME_PATTERN},
                "detail": {"type": "string"},
                "label": {"type": "string", "minLength": 1},
                "source_index": _COUNT,
            },
            "additionalProperties": False,
        },
        # One bridge's build from an empty scratch folder (bridgebench.commands.build_figures):
        # clean and incremental seconds, wall and CPU (user + sys of the build's children),
        # and each file it ships, unstripped and stripped; null seconds when it failed
        "build": {
            "type": "object",
            "required": [
                "bridge",
                "steps",
                "python",
                "clean_wall_s",
                "clean_cpu_s",
                "incremental_wall_s",
                "incremental_cpu_s",
                "touched",
                "ships",
                "status",
            ],
            "properties": {
                "bridge": {"type": "string", "minLength": 1},
                "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "python": {"type": "string", "pattern": r"^\d+\.\d+"},
                "clean_wall_s": _SECONDS,
                "clean_cpu_s": _SECONDS,
                "incremental_wall_s": _SECONDS,
                "incremental_cpu_s": _SECONDS,
                "touched": {"type": ["string", "null"]},
                "note": {"type": ["string", "null"]},
                "ships": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["file", "role", "bytes", "stripped_bytes"],
                        "properties": {
                            "file": {"type": "string", "minLength": 1},
                            "role": {"enum": ["module", "native dependency"]},
                            "bytes": _COUNT,
                            "stripped_bytes": _COUNT,
                        },
                        "additionalProperties": False,
                    },
                },
                "status": {"enum": ["ok", "failed"]},
                "reason": {"type": ["string", "null"]},
                # In a merged file: the label of the source that built it (as a cell's)
                "label": {"type": "string"},
            },
            "additionalProperties": False,
        },
        # One Python-side bridge under Python threads (bridgebench.harness.threads): a
        # result per probe, each with its outcome (docs/RESULTS.md, "Thread records")
        "threads": {
            "type": "object",
            "required": ["bridge", "threads", "usable_cores", "probes"],
            "properties": {
                "bridge": {"type": "string", "minLength": 1},
                "threads": {"type": "integer", "minimum": 1},
                "usable_cores": {"type": "integer", "minimum": 1},
                "probes": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/probe"},
                },
                "label": {"type": "string", "minLength": 1},
                "source_index": _COUNT,
            },
            "additionalProperties": False,
        },
        "probe": {
            "type": "object",
            "required": ["outcome"],
            "properties": {
                "outcome": {"enum": list(_PROBE_OUTCOMES)},
                "detail": {"type": "string"},
                # gil:<cell>: its calls on n elements, their total time and the ticks of a
                # spinning thread during them
                "cell": {"type": "string", "minLength": 1},
                "n": _COUNT,
                "calls": _COUNT,
                "call_ms": {"type": "number", "minimum": 0},
                "ticks": _COUNT,
                # ... and, for calls that hold the GIL, the Python line events of one call
                # at each of two sizes (sys.settrace): pure Python runs them per element
                "traced_n": {"type": "array", "items": _COUNT},
                "traced_lines": {"type": "array", "items": _COUNT},
                # private, shared:<cell>: `wrong` of `of` answers or units
                "wrong": {"type": "integer"},
                "of": _COUNT,
                "unit": {"type": "string"},  # shared: what `of` counts (elements, appends)
                # throughput: calls per second of `cell` on n elements from 1 and 2 threads
                "seconds": {"type": "number", "minimum": 0},
                "one_thread_calls_per_s": {"type": "array", "items": {"type": "number"}},
                "two_threads_calls_per_s": {"type": "array", "items": {"type": "number"}},
                "one_thread_median": {"type": "number", "minimum": 0},
                "two_threads_median": {"type": "number", "minimum": 0},
                "ratio": {"type": "number", "minimum": 0},
                "usable_cores": {"type": "integer", "minimum": 1},
                "load_average": {"type": ["number", "null"], "minimum": 0},
            },
            "additionalProperties": False,
        },
        "environment": _ENVIRONMENT,
        # How steady the machine was while it was timed (bridgebench.steadiness)
        "machine": {
            "type": "object",
            "required": ["verdict", "reasons", "phases"],
            "properties": {
                "verdict": {"enum": ["steady", "disturbed"]},
                "reasons": {"type": "array", "items": {"type": "string"}},
                "phases": {"type": "object", "additionalProperties": {"type": "object"}},
            },
            "additionalProperties": False,
        },
        "source": {
            "type": "object",
            "required": ["label", "created", "mode", "environment"],
            "properties": {
                "label": {"type": "string", "minLength": 1},
                "file": {"type": "string"},
                "schema": {"enum": list(READABLE)},
                "created": {"type": "string"},
                "mode": _MODE,
                "plan": {"type": "object"},
                "machine": {"$ref": "#/$defs/machine"},
                "environment": {"$ref": "#/$defs/environment"},
            },
            "additionalProperties": False,
        },
    },
}


# ----------------------------------------------------------------------------- validator

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__


def _resolve(ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref is supported: {ref}")
    node: Any = DOCUMENT
    for part in ref[2:].split("/"):
        node = node[part]
    return dict(node)


def _check(value: Any, rule: dict[str, Any], path: str, errors: list[str]) -> None:
    """Append to `errors` every way `value` breaks `rule` (a subset of draft 2020-12)."""
    if "$ref" in rule:
        _check(value, _resolve(rule["$ref"]), path, errors)
    if "type" in rule:
        types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
        if not any(_TYPES[t](value) for t in types):
            errors.append(f"{path}: expected {' or '.join(types)}, got {_json_type(value)}")
            return
    if "const" in rule and value != rule["const"]:
        errors.append(f"{path}: expected {rule['const']!r}, got {value!r}")
    if "enum" in rule and value not in rule["enum"]:
        errors.append(f"{path}: {value!r} is not one of {rule['enum']}")
    if _TYPES["number"](value):
        if "minimum" in rule and value < rule["minimum"]:
            errors.append(f"{path}: {value} is below the minimum {rule['minimum']}")
    if isinstance(value, str):
        if len(value) < rule.get("minLength", 0):
            errors.append(f"{path}: empty string")
        if "pattern" in rule and not re.search(rule["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {rule['pattern']}")
    if isinstance(value, list):
        _check_array(value, rule, path, errors)
    if isinstance(value, dict):
        _check_object(value, rule, path, errors)
    for sub in rule.get("allOf", []):
        _check(value, sub, path, errors)
    if "anyOf" in rule:
        attempts = []
        for sub in rule["anyOf"]:
            found: list[str] = []
            _check(value, sub, path, found)
            if not found:
                break
            attempts.append("; ".join(found))
        else:
            errors.append(f"{path}: matches none of the alternatives: " + " | ".join(attempts))
    if "if" in rule:
        test: list[str] = []
        _check(value, rule["if"], path, test)
        branch = rule.get("then" if not test else "else")
        if branch:
            _check(value, branch, path, errors)


def _check_array(value: list[Any], rule: dict[str, Any], path: str, errors: list[str]) -> None:
    if len(value) < rule.get("minItems", 0):
        errors.append(f"{path}: {len(value)} items, at least {rule['minItems']} expected")
    if "maxItems" in rule and len(value) > rule["maxItems"]:
        errors.append(f"{path}: {len(value)} items, at most {rule['maxItems']} expected")
    prefix = rule.get("prefixItems", [])
    for i, item in enumerate(value):
        sub = prefix[i] if i < len(prefix) else rule.get("items")
        if sub is not None:
            _check(item, sub, f"{path}[{i}]", errors)


def _check_object(
    value: dict[str, Any], rule: dict[str, Any], path: str, errors: list[str]
) -> None:
    for key in rule.get("required", []):
        if key not in value:
            errors.append(f"{path}: missing required field {key!r}")
    properties = rule.get("properties", {})
    extra = rule.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], f"{path}.{key}", errors)
        elif extra is False:
            errors.append(f"{path}.{key}: unknown field")
        elif isinstance(extra, dict):
            _check(item, extra, f"{path}.{key}", errors)


def cell_key(cell: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a cell record: (label, side, bridge, cell, size)."""
    return (cell.get("label"), cell["side"], cell["bridge"], cell["cell"], cell["size"])


def _check_consistency(data: dict[str, Any], errors: list[str]) -> None:
    """What JSON Schema cannot say: one record per key; labels point at a source."""
    seen: dict[tuple[Any, ...], int] = {}
    sources = data.get("sources")
    for i, cell in enumerate(data["cells"]):
        key = cell_key(cell)
        if key in seen:
            errors.append(
                f"$.cells[{i}]: same (label, side, bridge, cell, size) as $.cells[{seen[key]}]"
            )
        seen[key] = i
        if sources is None:
            continue
        index = cell.get("source_index")
        if index is None or cell.get("label") is None:
            errors.append(f"$.cells[{i}]: a merged file's cell needs label and source_index")
        elif index >= len(sources) or sources[index]["label"] != cell["label"]:
            errors.append(
                f"$.cells[{i}].source_index: {index} is not a source labelled {cell['label']!r}"
            )


def validate(data: Any) -> list[str]:
    """Every error in a results file, each naming its JSON path; [] when it is valid."""
    if not isinstance(data, dict):
        return [f"$: expected object, got {_json_type(data)}"]
    if data.get("schema") != VERSION:
        return [f"$.schema: expected {VERSION!r}, got {data.get('schema')!r}"]
    errors: list[str] = []
    _check(data, DOCUMENT, "$", errors)
    if not errors:
        _check_consistency(data, errors)
    return errors


def load(path: Path) -> dict[str, Any]:
    """Read and validate a results file; ValueError naming the file and every broken path
    otherwise."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    version = data.get("schema") if isinstance(data, dict) else None
    if version not in READABLE:
        raise ValueError(f"{path}: schema {version!r} is not one of {list(READABLE)}")
    errors = validate(data)
    if errors:
        shown = "\n  ".join(errors[:20])
        raise ValueError(f"{path}: not a valid results file:\n  {shown}")
    return dict(data)


def document_text() -> str:
    """docs/results-schema.json, exactly."""
    return json.dumps(DOCUMENT, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document_text())
