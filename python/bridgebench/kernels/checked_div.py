"""`checked_div` (benches/kernels/checked_div.toml): two int64 in, one int64 out; see _scalar."""

from bridgebench.kernels._scalar import case, inputs, payload_bytes

__all__ = ["case", "inputs", "payload_bytes"]
