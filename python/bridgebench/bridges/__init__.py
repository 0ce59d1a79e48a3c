"""Python-side bridge modules that are written in Python (the rest are compiled extensions).

Every bridge module follows one protocol (docs/protocol.md): a function per cell,
named by the cell's `function` in benches/kernels/<kernel>.toml.
"""
