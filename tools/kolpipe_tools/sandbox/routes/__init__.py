"""The sandbox's routes, one module per platform; each has `register(app, ctx)` adding the
platform's endpoints to the app and `auth_error()`, its answer to a bad token."""
