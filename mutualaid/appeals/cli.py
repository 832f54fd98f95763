"""``flask --app app escalate-appeals``: one pass of the appeals' time-limit check."""
import click

from mutualaid.core.extensions import db


@click.command("escalate-appeals")
def escalate_appeals():
    """Escalate overdue open appeals and close resolved ones left unrated for 7 days."""
    from mutualaid.appeals.checks import run_checks
    from mutualaid.cli import prepare_database

    prepare_database()
    moved, closed = run_checks()
    db.session.commit()
    click.echo(f"Escalated or marked {moved} overdue appeal(s); closed {closed} unrated.")
