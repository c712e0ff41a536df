"""The ``hrss`` command: run the stack, load demo data, manage API clients."""
