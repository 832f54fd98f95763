"""Command-line tools: ``create-admin``, ``seed-demo``, ``backup``, ``export-community``.
Those that write migrate first."""
import sqlite3
from pathlib import Path

import click
from flask_migrate import upgrade

from mutualaid.core.extensions import db


def prepare_database(seed=False):
    """Apply migrations, then seed the demo community when asked and the database is empty."""
    upgrade()
    if seed:
        from mutualaid import demo

        if not demo.is_seeded():
            demo.print_logins(demo.seed())


@click.command("create-admin")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--display-name", default=None)
def create_admin(username, password, display_name):
    """Create an administrator account."""
    from mutualaid.accounts.domain import register_user
    from mutualaid.accounts.schemas import RegisterSchema
    from mutualaid.core.errors import DomainError
    from marshmallow import ValidationError

    prepare_database()
    try:
        data = RegisterSchema().load({"username": username, "password": password,
                                      "display_name": display_name or username})
        user = register_user(role="admin", **data)
    except ValidationError as error:
        raise click.ClickException(str(error.messages)) from None
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Administrator {user.username} created (id {user.id}).")


@click.command("seed-demo")
def seed_demo():
    """Create the demo community and print its logins."""
    from mutualaid import demo

    prepare_database()
    if demo.is_seeded():
        click.echo("The demo community already exists.")
        return
    demo.print_logins(demo.seed())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path):
    """Copy the SQLite database to PATH while the app keeps running (online backup)."""
    prepare_database()
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("Use pg_dump to back up PostgreSQL.")
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file.")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()
    click.echo(f"Backed up {url.database} to {path}.")


@click.command("export-community")
@click.argument("community_id", type=int)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_community(community_id, directory):
    """Write a community's orders, ballots and ledger as CSV files into DIRECTORY."""
    from mutualaid.exports import export_community as export
    from mutualaid.places.models import Community

    if db.session.get(Community, community_id) is None:  # reads only: no migration first
        raise click.ClickException(f"no community {community_id}")
    for name, count in export(community_id, directory).items():
        click.echo(f"{directory / name}: {count} row(s)")
    db.session.rollback()


def init_app(app):
    """Register the commands."""
    for command in (create_admin, seed_demo, backup, export_community):
        app.cli.add_command(command)
