"""dbt's `adapter` for linting: `adapter.dispatch('x')` picks the project's `default__x` macro,
the DuckDB SQL the models run with (see macros/cross_db/README.md)."""

import jinja2


@jinja2.pass_context
def dispatch(context, macro_name, macro_namespace=None):
    return context.resolve(f"default__{macro_name}")
