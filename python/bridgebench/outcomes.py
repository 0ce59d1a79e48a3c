"""Run bad-input calls in a child process and classify what happened.

Some tools cannot raise for some bad inputs (ctypes wraps out-of-range ints), and a
bridge that crashes must never take the workbench down. So every bad-input case runs
in a fresh interpreter, one per bridge (`python -m bridgebench.outcomes <bridge>`, the
cases on stdin), which reports each case as it begins and ends (typed records,
bridgebench.harness.messages). If the child dies, the case it had started is recorded
as crashed (with the signal) and a new child carries on with the rest.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bridgebench import spec
from bridgebench.badinput import BadInput
from bridgebench.harness.messages import decode, encode


@dataclass(frozen=True)
class Outcome:
    kind: str  # "raised", "returned" or "crashed"
    detail: str  # the exception's type name, repr of the value, or the signal's name
    message: str = ""

    def summary(self) -> str:
        return f"{self.kind} {self.detail}"


# What the child tells its parent (bridgebench.harness.messages): a case begun, then its
# outcome. A child that dies between the two has crashed on that case.
@dataclass(frozen=True)
class Started:
    case: str
    cell: str


@dataclass(frozen=True)
class Done:
    case: str
    cell: str
    kind: str
    detail: str
    message: str


def _outcome(case: BadInput, module: Any) -> Outcome:
    try:
        value = case.call(module)
    except Exception as exc:
        # Tools raise subclasses (Boost.Python.ArgumentError is a TypeError): judge by the
        # nearest builtin exception type, and keep the tool's own type in the message.
        builtin = next(t for t in type(exc).__mro__ if t.__module__ == "builtins")
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        message = str(exc)[:300] if builtin is type(exc) else f"{name}: {str(exc)[:300]}"
        return Outcome("raised", builtin.__name__, message)
    return Outcome("returned", repr(value)[:300])


def child(bridge_name: str) -> None:
    """The child: every case read from stdin, made on the bridge's module."""
    module = spec.bridge(bridge_name).import_module()
    for line in sys.stdin:
        case = decode(line, (BadInput,))
        print(encode(Started(case.id, case.cell)), flush=True)
        outcome = _outcome(case, module)
        done = Done(case.id, case.cell, outcome.kind, outcome.detail, outcome.message)
        print(encode(done), flush=True)


def run_cases(
    bridge: spec.Bridge, cases: Sequence[BadInput], timeout: float = 300.0
) -> dict[tuple[str, str], Outcome]:
    """Outcome of every case for one bridge, keyed by (case id, cell)."""
    results: dict[tuple[str, str], Outcome] = {}
    pending = list(cases)
    while pending:
        feed = "".join(encode(c) + "\n" for c in pending)
        proc = subprocess.run(
            [sys.executable, "-m", "bridgebench.outcomes", bridge.name],
            input=feed,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=spec.child_env(),
            cwd=spec.ROOT,
        )
        started: tuple[str, str] | None = None
        for line in proc.stdout.splitlines():
            msg = decode(line, (Started, Done))
            if isinstance(msg, Started):
                started = (msg.case, msg.cell)
            else:
                results[msg.case, msg.cell] = Outcome(msg.kind, msg.detail, msg.message)
                started = None
        if proc.returncode == 0:
            break
        if started is None:  # died outside any case: import failure, say
            raise RuntimeError(
                f"bridge `{bridge.name}`: the bad-input child process failed (exit "
                f"{proc.returncode}) outside any case:\n{proc.stderr[-2000:]}"
            )
        how = (
            signal.Signals(-proc.returncode).name
            if proc.returncode < 0
            else f"exit {proc.returncode}"
        )
        results[started] = Outcome("crashed", how, proc.stderr[-300:])
        pending = [c for c in pending if (c.id, c.cell) not in results]
    return results


def declared(declaration: str) -> tuple[str, str]:
    """Parse a registry outcome: 'silently-wrong: why', 'accepts: why', 'crash: why' or
    'raises X: why'.

    Returns the expected (kind, detail); detail is the exception name for 'raises'.
    """
    head, _, why = declaration.partition(":")
    head = head.strip()
    if head in ("silently-wrong", "accepts"):
        return "returned", why.strip()
    if head == "crash":
        return "crashed", why.strip()
    if head.startswith("raises "):
        return "raised", head.removeprefix("raises ").strip()
    raise ValueError(f"{spec.REGISTRY}: cannot read outcome {declaration!r}")


if __name__ == "__main__":
    child(sys.argv[1])
