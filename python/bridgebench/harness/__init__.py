"""The Python-side benchmark harness: one worker process per bridge (see worker.py)."""
