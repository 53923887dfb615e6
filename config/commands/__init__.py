"""The ``callcenter`` subcommands, one module per area; each calls the services of its feature
package (``config.cli`` attaches them)."""
