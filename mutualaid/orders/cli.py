"""``flask --app app expire-orders``: expire open orders past their window (cron-friendly)."""
import click

from mutualaid.core.extensions import db


@click.command("expire-orders")
def expire_orders():
    """Expire every open order whose time window has ended, announcing each change."""
    from mutualaid.cli import prepare_database
    from mutualaid.orders.domain import expire_due_orders

    prepare_database()
    count = expire_due_orders()
    db.session.commit()
    click.echo(f"Expired {count} order(s).")
