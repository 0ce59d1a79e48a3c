"""The environment section: where the figures were measured (one table per source of a
merged file; in compare mode the base file's environments too)."""

from __future__ import annotations

import json
from typing import Any

from bridgebench.report.fmt import esc, table, tag

# (heading, how to read it from an environment record)
FIELDS: list[tuple[str, Any]] = [
    ("host", lambda e: e.get("host")),
    (
        "CPU",
        lambda e: f"{e.get('cpu')} ({e.get('cores')} cores available of {e.get('cpu_count', '?')})",
    ),
    ("CPU governor", lambda e: e.get("cpu_governor")),
    ("memory", lambda e: f"{e['memory_bytes'] / 2**30:.1f} GiB" if e.get("memory_bytes") else None),
    ("OS", lambda e: e.get("os_release") or e.get("os")),
    ("kernel", lambda e: e.get("kernel")),
    ("C library", lambda e: e.get("glibc")),
    ("Python", lambda e: f"{e.get('python_implementation', '')} {e.get('python')}".strip()),
    ("Python build", lambda e: (e.get("python_details") or {}).get("compiler")),
    ("numpy", lambda e: e.get("numpy")),
    ("PYTHONHASHSEED", lambda e: e.get("pythonhashseed")),
    ("git commit", lambda e: f"{e.get('git_commit')}" + (" (dirty)" if e.get("git_dirty") else "")),
]


def _rows(env: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, read in FIELDS:
        value = read(env)
        if value:
            rows.append([esc(name), esc(value)])
    for group in ("compilers", "programs", "variables"):
        for key, value in sorted((env.get(group) or {}).items()):
            rows.append(
                [esc(f"{group[:-1] if group != 'variables' else 'variable'}: {key}"), esc(value)]
            )
    return rows


def _one(title: str, env: dict[str, Any]) -> str:
    tools = [[esc(k), esc(v)] for k, v in (env.get("tools") or {}).items()]
    parts = [tag("h3", esc(title)), table(["what", "value"], _rows(env), class_="data env")]
    if tools:
        parts.append(
            tag(
                "details",
                tag("summary", "bridge tools and versions")
                + table(["bridge", "tool"], tools, class_="data env"),
            )
        )
    if env.get("build_flags"):
        text = json.dumps(env["build_flags"], indent=1, sort_keys=True)
        parts.append(tag("details", tag("summary", "build flags") + tag("pre", esc(text))))
    return tag("div", "".join(parts), class_="env-block")


def section(
    environments: list[tuple[str, dict[str, Any]]],
    base: list[tuple[str, dict[str, Any]]] | None = None,
) -> str:
    blocks = [_one(title, env) for title, env in environments]
    if base:
        blocks += [_one(f"base: {title}", env) for title, env in base]
    return tag(
        "section",
        tag("h2", "Environment") + tag("div", "".join(blocks), class_="envs"),
        id="environment",
    )
