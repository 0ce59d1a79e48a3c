"""Bridge `protobuf`: the copying path, Python protobuf (upb) <-> prost in Rust.

Nothing is shared across the boundary: Python fills a message and serializes it,
`bb_protobuf` (crates/py-protobuf) decodes it with prost, runs the Rust kernel and
sends back a serialized response, which Python parses into new objects. The messages
are crates/proto/proto/bridgebench.proto; `bridgebench_pb2` is generated from it at
build time (the [build.protobuf] step).
"""

from __future__ import annotations

from typing import Any

import bb_protobuf

from bridgebench.bridges._records import Summary, record_list, sequence
from bridgebench.bridges.generated import bridgebench_pb2

# protoc's Python output builds its classes at import time, invisible to a type checker.
pb: Any = bridgebench_pb2


# ANCHOR: add
def add(a: int, b: int) -> int:
    request = pb.AddRequest()
    try:
        # Assign instead of AddRequest(a=a, b=b): the constructor reads None as
        # "field unset", so add(None, 3) would quietly return 3.
        request.a = a
        request.b = b
    except ValueError as exc:
        # upb range-checks int64 fields with ValueError; the contract says OverflowError.
        raise OverflowError(f"add(): {exc} for int64") from None
    response = pb.AddResponse.FromString(bb_protobuf.add(request.SerializeToString()))
    result = response.WhichOneof("result")
    if result == "value":
        return response.value
    if result == "error":
        raise _kernel_error(response.error)
    raise RuntimeError(f"bb_protobuf sent an AddResponse without an answer: {response}")
    # ANCHOR_END: add


def checked_div(a: int, b: int) -> int:
    request = pb.DivRequest()
    try:
        # Assigned, not passed to the constructor: see add.
        request.a = a
        request.b = b
    except ValueError as exc:
        raise OverflowError(f"checked_div(): {exc} for int64") from None
    response = pb.DivResponse.FromString(bb_protobuf.checked_div(request.SerializeToString()))
    result = response.WhichOneof("result")
    if result == "value":
        return response.value
    if result == "error":
        raise _kernel_error(response.error)
    raise RuntimeError(f"bb_protobuf sent a DivResponse without an answer: {response}")


# ANCHOR: kernel_error
def _kernel_error(error: Any) -> Exception:
    # Over a copying path the kernel's refusal cannot propagate as an exception:
    # it comes back as data (a KernelError message), and becomes an exception again here.
    if error.kind == pb.KernelError.KIND_OVERFLOW:
        return OverflowError(error.message)
    if error.kind == pb.KernelError.KIND_DIVISION_BY_ZERO:
        return ZeroDivisionError(error.message)
    if error.kind in (pb.KernelError.KIND_BAD_COLUMNS, pb.KernelError.KIND_INVALID_UTF8):
        return ValueError(error.message)
    return RuntimeError(f"bb_protobuf sent an unknown kernel error: {error}")
    # ANCHOR_END: kernel_error


# ANCHOR: scale_list
def scale_list(values: list[float], factor: float) -> list[float]:
    request = pb.ScaleRequest()
    # upb type-checks every double it is given (TypeError for str, None, lists;
    # OverflowError for an int beyond float range), so the contract mostly holds
    # by itself. Not through the constructor, though: ScaleRequest(factor=None)
    # would leave the factor unset (the server rejects that as malformed, a
    # ValueError, not the contract's TypeError), and values=None an empty list.
    request.factor = factor
    # extend() takes any iterable: bytes would become their byte values, a dict its keys.
    request.values.extend(sequence(values, "values"))
    response = pb.ScaleResponse.FromString(bb_protobuf.scale(request.SerializeToString()))
    return list(response.values)
    # ANCHOR_END: scale_list


# ANCHOR: summarize
def summarize_objects(records: list[tuple[int, str, float]]) -> Summary:
    message = pb.Records()
    for record in record_list(records):
        if not isinstance(record, list | tuple) or len(record) != 3:
            raise TypeError(f"a record is a tuple (id, name, score), not {record!r}")
        id_, name, score = record
        # upb would take bytes for a string field and decode them as UTF-8; the
        # contract wants str only. (A lone surrogate is upb's UnicodeEncodeError.)
        if not isinstance(name, str):
            raise TypeError(f"a record's name must be str, not {type(name).__name__}")
        # Field by field, never Record(id=..., ...): the constructor reads None as unset.
        wire = message.records.add()
        try:
            wire.id = id_
        except ValueError as exc:
            # As in add: upb's "Value out of range" is the contract's OverflowError.
            raise OverflowError(f"summarize_objects(): {exc} for an int64 id") from None
        wire.name = name
        wire.score = score
    return summarize_protobuf(message.SerializeToString())


def summarize_protobuf(message: bytes) -> Summary:
    # bb_protobuf raises ValueError itself for bytes that do not decode as Records,
    # a name that is not UTF-8 included (prost checks every string field).
    response = pb.SummarizeResponse.FromString(bb_protobuf.summarize(message))
    result = response.WhichOneof("result")
    if result == "summary":
        s = response.summary
        return Summary(s.count, s.score_sum, s.max_id, s.longest_name)
    if result == "error":
        raise _kernel_error(response.error)
    raise RuntimeError(f"bb_protobuf sent a SummarizeResponse without an answer: {response}")
    # ANCHOR_END: summarize
