"""bridgebench: how should Python, C++ and Rust talk to each other, and what does each way cost?"""
