"""Code generated at build time (protobuf *_pb2 modules). Not committed."""
