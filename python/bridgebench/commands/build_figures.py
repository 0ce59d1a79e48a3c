"""What each Python-side bridge costs to build and ship: `build-figures --out FILE`.

Per bridge with a build step, as its registry entry's [bridge.alone] declares
(benches/bridges.toml): a clean build from an empty scratch folder (a fresh
CARGO_TARGET_DIR, a fresh CMake build folder: dependencies such as pyo3 or nanobind's
sources compile too, as in a user's first build), then an incremental rebuild in the same
folder after bumping the mtime of the kernel it binds (content unchanged; the mtime is put
back afterwards), each in wall seconds and CPU seconds (user + sys of the build's child
processes, from getrusage(RUSAGE_CHILDREN)); and the size of what it ships, unstripped and
stripped (`strip --strip-unneeded` on a copy).

Builds go to wheels in the scratch folder (`maturin build --out`, `pip wheel`), never into
the venv: the installed bridges the bench measures stay exactly as they were, and the
module weighed is the one a wheel ships. Writes a JSON list of build records (the
`builds` of results.json, docs/RESULTS.md); `bench --builds FILE` folds it in.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from bridgebench import spec
from bridgebench.compat import tomllib

# What ldd lists that is not shipped with a module: the C and C++ runtimes, the
# interpreter, the loader and the kernel's vDSO, on every Linux machine that runs Python.
# Anything else an extension links (libboost_python, the C ABI cdylib) ships with it.
BASE_SYSTEM = re.compile(
    r"^(linux-vdso|linux-gate|ld-linux|libc|libm|libstdc\+\+|libgcc_s|libpython\d|"
    r"libpthread|libdl|librt|libutil)[.\-]"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="the JSON file to write")
    parser.add_argument(
        "--bridge", action="append", default=[], help="only this bridge (repeatable)"
    )


def alone_entries() -> dict[str, dict[str, Any]]:
    """Each Python-side bridge with a build step -> its [bridge.alone] table (or {})."""
    with spec.REGISTRY.open("rb") as f:
        data = tomllib.load(f)
    return {
        b["name"]: dict(b.get("alone", {}))
        for b in data["bridge"]
        if b["side"] == "python" and b.get("build")
    }


def native_dependencies(ldd_output: str) -> list[Path]:
    """The libraries of `ldd` output outside the base system (BASE_SYSTEM), resolved."""
    found: list[Path] = []
    for line in ldd_output.splitlines():
        name, _, rest = line.strip().partition(" => ")
        if not rest or BASE_SYSTEM.match(name.strip()):
            continue
        path = rest.split(" (")[0].strip()
        if path and path != "not found":
            found.append(Path(path))
    return found


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"no `{name}` on PATH (Debian/Ubuntu: apt install binutils libc-bin)")
    return found


def sizes(path: Path) -> tuple[int, int]:
    """(bytes, bytes after `strip --strip-unneeded`), stripping a copy, never the file."""
    with tempfile.TemporaryDirectory(prefix="bb-strip-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        subprocess.run([_tool("strip"), "--strip-unneeded", str(copy)], check=True)
        return path.stat().st_size, copy.stat().st_size


def _ldd(path: Path) -> str:
    done = subprocess.run([_tool("ldd"), str(path)], capture_output=True, text=True, check=False)
    return done.stdout


def ships(scratch: Path, alone: dict[str, Any]) -> list[dict[str, Any]]:
    """The shipped files: the modules, what they link outside the base system (ldd) and
    what they load at run time (`loads`), each once, with both sizes."""
    entries: list[tuple[Path, str]] = []
    for pattern in alone.get("modules", []):
        matched = sorted(Path(p) for p in glob.glob(str(scratch / pattern), recursive=True))
        if not matched:
            raise RuntimeError(f"no module matches {pattern} under the scratch folder")
        entries += [(p, "module") for p in matched]
    for pattern in alone.get("loads", []):
        matched = sorted(Path(p) for p in glob.glob(str(scratch / pattern), recursive=True))
        if not matched:
            raise RuntimeError(f"nothing matches {pattern} under the scratch folder")
        entries += [(p, "native dependency") for p in matched]
    for module in [p for p, role in entries if role == "module"]:
        entries += [(dep, "native dependency") for dep in native_dependencies(_ldd(module))]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path, role in entries:
        real = path.resolve()
        if real.name in seen:
            continue
        seen.add(real.name)
        size, stripped = sizes(real)
        out.append({"file": real.name, "role": role, "bytes": size, "stripped_bytes": stripped})
    return out


def _expand(argv: list[str], scratch: Path) -> list[str]:
    return [a.replace("{python}", sys.executable).replace("{scratch}", str(scratch)) for a in argv]


def timed(commands: list[list[str]], scratch: Path, log: Path) -> tuple[float, float]:
    """Run the commands in order from the repository root: (wall s, CPU s of children)."""
    env = dict(spec.child_env(), CARGO_TARGET_DIR=str(scratch / "target"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("a") as out:
        for argv in commands:
            done = subprocess.run(
                _expand(argv, scratch), cwd=spec.ROOT, env=env, stdout=out, stderr=out
            )
            if done.returncode != 0:
                raise RuntimeError(f"`{' '.join(argv)}` exited {done.returncode} (log: {log})")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(wall, 2), round(cpu, 2)


def _unpack_wheels(scratch: Path) -> None:
    shutil.rmtree(scratch / "wheel", ignore_errors=True)
    for wheel in sorted((scratch / "wheels").glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(scratch / "wheel")


def measure(name: str, alone: dict[str, Any], scratch: Path, log: Path) -> dict[str, Any]:
    """One bridge's record; `scratch` must be empty."""
    record: dict[str, Any] = {
        "bridge": name,
        "steps": list(alone.get("steps", [])),
        "python": ".".join(map(str, sys.version_info[:3])),
        "touched": alone.get("touch"),
        "note": alone.get("note"),
    }
    try:
        if not alone.get("commands"):
            raise RuntimeError("benches/bridges.toml declares no [bridge.alone] commands")
        record["clean_wall_s"], record["clean_cpu_s"] = timed(alone["commands"], scratch, log)
        touched = spec.ROOT / alone["touch"]
        kept = touched.stat()
        try:
            os.utime(touched)  # the mtime only: the kernel's content is unchanged
            wall, cpu = timed(alone["commands"], scratch, log)
        finally:
            # Back to its old mtime, so the tree's own builds see nothing new.
            os.utime(touched, ns=(kept.st_atime_ns, kept.st_mtime_ns))
        record["incremental_wall_s"], record["incremental_cpu_s"] = wall, cpu
        _unpack_wheels(scratch)
        record["ships"] = ships(scratch, alone)
        record["status"], record["reason"] = "ok", None
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        for key in ("clean_wall_s", "clean_cpu_s", "incremental_wall_s", "incremental_cpu_s"):
            record.setdefault(key, None)
        record["ships"] = []
        record["status"], record["reason"] = "failed", str(exc)
    return record


def run(args: argparse.Namespace) -> int:
    entries = alone_entries()
    unknown = [b for b in args.bridge if b not in entries]
    if unknown:
        print(
            f"build-figures: {', '.join(unknown)}: not a Python-side bridge with a build step "
            f"(those are: {', '.join(entries)})",
            file=sys.stderr,
        )
        return 2
    names = []
    for name in args.bridge or list(entries):
        # A bridge not built for this interpreter ([bridge.python]) has no module to build
        # or weigh here (its CMake skips it): no record, as its cells are n/a too.
        why = spec.bridge(name).not_built_reason()
        if why is None:
            names.append(name)
        else:
            print(f"build-figures: {name}: {why}", flush=True)
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bb-build-figures-") as tmp:
        for i, name in enumerate(names, 1):
            scratch = Path(tmp) / name
            scratch.mkdir()
            log = Path(tmp) / f"{name}.log"
            print(f"build-figures [{i}/{len(names)}] {name}: clean build...", flush=True)
            record = measure(name, entries[name], scratch, log)
            if record["status"] == "failed" and log.exists():
                print(log.read_text()[-3000:], file=sys.stderr)
            records.append(record)
            shutil.rmtree(scratch, ignore_errors=True)
            shipped = sum(s["stripped_bytes"] for s in record["ships"])
            print(
                f"build-figures [{i}/{len(names)}] {name}: {record['status']}"
                + (
                    f", clean {record['clean_wall_s']} s wall / {record['clean_cpu_s']} s CPU, "
                    f"incremental {record['incremental_wall_s']} s / "
                    f"{record['incremental_cpu_s']} s, ships {shipped} bytes stripped"
                    if record["status"] == "ok"
                    else f": {record['reason']}"
                ),
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2) + "\n")
    print(f"build-figures: wrote {args.out}")
    return 0 if all(r["status"] == "ok" for r in records) else 1
