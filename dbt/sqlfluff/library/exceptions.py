"""dbt's `exceptions` for linting."""


def raise_compiler_error(message):
    raise RuntimeError(message)
