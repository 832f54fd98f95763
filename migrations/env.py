"""Alembic environment: the app's engine and metadata (Flask-Migrate)."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
# Keep the app's own loggers: Alembic's ini would otherwise switch them off.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate = current_app.extensions["migrate"]
engine = migrate.db.engine
config.set_main_option("sqlalchemy.url",
                       engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def skip_empty_autogenerate(context, revision, directives):
    """Do not write an empty migration when the models did not change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def not_an_expression_index(obj, name, kind, reflected, compare_to):
    """Autogenerate cannot compare indexes on SQL expressions (matching's reach grid, written
    by hand in 0012): leave them out rather than propose dropping and making them again."""
    return kind != "index" or name not in {
        index.name for table in migrate.db.metadata.tables.values() for index in table.indexes
        if any(not hasattr(part, "table") for part in index.expressions)}


def run_migrations_offline():
    """Emit SQL for the migrations without a database connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=migrate.db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the app's database."""
    options = dict(migrate.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("include_object", not_an_expression_index)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
