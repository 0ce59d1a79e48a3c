"""The results' `builds` as a table (results.md and the report's "What it costs to build"):
one row per bridge, from the records `build-figures` writes (docs/RESULTS.md)."""

from __future__ import annotations

from typing import Any

HEAD = [
    "bridge",
    "steps",
    "Python",
    "clean wall s",
    "clean CPU s",
    "incremental wall s",
    "incremental CPU s",
    "module bytes stripped / unstripped",
    "dependencies, stripped / unstripped",
    "note",
]
NUMERIC = [False, False, False, True, True, True, True, True, False, False]
NOT_MEASURED = (
    "not measured: this results file has no `builds` (quick runs, runs of the Rust side "
    "only, and files older than the build figures)"
)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _bytes(ships: list[dict[str, Any]], role: str) -> str:
    files = [s for s in ships if s["role"] == role]
    if not files:
        return ""
    if role == "module":
        stripped = sum(s["stripped_bytes"] for s in files)
        full = sum(s["bytes"] for s in files)
        return f"{stripped:,} / {full:,}"
    return "; ".join(f"{s['file']} {s['stripped_bytes']:,} / {s['bytes']:,}" for s in files)


def rows(data: dict[str, Any]) -> list[list[str]] | None:
    """The table's rows, or None when the file has no `builds`."""
    records = data.get("builds")
    if records is None:
        return None
    out = []
    for r in records:
        note = r.get("note") or ""
        if r["status"] != "ok":
            note = f"failed: {r.get('reason') or ''}" + (f" ({note})" if note else "")
        out.append(
            [
                r["bridge"] + (f" · {r['label']}" if r.get("label") else ""),
                " + ".join(r["steps"]),
                r["python"],
                _seconds(r["clean_wall_s"]),
                _seconds(r["clean_cpu_s"]),
                _seconds(r["incremental_wall_s"]),
                _seconds(r["incremental_cpu_s"]),
                _bytes(r["ships"], "module"),
                _bytes(r["ships"], "native dependency"),
                note,
            ]
        )
    return out


INTRO = (
    "Each bridge built alone (benches/bridges.toml [bridge.alone]) into wheels in an empty "
    "scratch folder, its dependencies included, as a user's first build: wall seconds and "
    "CPU seconds (user + sys of the build's processes); then rebuilt in the same folder "
    "after touching the kernel it binds (incremental). Sizes in bytes, after `strip "
    "--strip-unneeded` / as built; dependencies are what the module loads outside the base "
    "system (libc, libm, libstdc++, libgcc_s, libpython, the loader). The C++ modules' "
    "two sizes agree: scikit-build-core strips what it installs into a wheel, as Debian "
    "strips libboost_python."
)


def markdown_lines(data: dict[str, Any]) -> list[str]:
    lines = ["", "## What it costs to build", ""]
    found = rows(data)
    if found is None:
        return [*lines, NOT_MEASURED[0].upper() + NOT_MEASURED[1:] + "."]
    lines += [INTRO, ""]
    num = NUMERIC
    lines.append("| " + " | ".join(HEAD) + " |")
    lines.append("|" + "".join("---:|" if n else "---|" for n in num))
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in found]
    return lines
