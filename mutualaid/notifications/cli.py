"""CLI of notifications: the worker loop, one delivery round, the periodic checks."""
import click

from mutualaid.core.extensions import db


@click.command("notify-worker")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between rounds.")
def notify_worker(interval):
    """Deliver notifications and run the periodic checks until stopped."""
    from flask import current_app

    from mutualaid.cli import prepare_database
    from mutualaid.notifications.worker import loop

    prepare_database()
    db.session.remove()
    click.echo("Delivering notifications (Ctrl+C stops).")
    loop(current_app._get_current_object(), interval)


@click.command("deliver-notifications")
def deliver_notifications():
    """Send every delivery that is due now, once."""
    from mutualaid.cli import prepare_database
    from mutualaid.notifications.delivery import deliver_due

    prepare_database()
    click.echo(f"Sent {deliver_due()} delivery(ies).")


@click.command("notification-checks")
def notification_checks():
    """Run the periodic checks (votes closing soon, booking reminders) once."""
    from mutualaid.cli import prepare_database
    from mutualaid.core.scheduler import run_checks

    prepare_database()
    click.echo(f"Wrote {run_checks()} notification(s).")


@click.command("notify-rq-worker")
@click.option("--sweep", default=10.0, show_default=True,
              help="Seconds between sweeps for due deliveries and periodic checks.")
def notify_rq_worker(sweep):
    """Scale-out: an RQ worker on Redis (NOTIFY_QUEUE_URL) delivering notifications."""
    from flask import current_app

    from mutualaid.cli import prepare_database
    from mutualaid.notifications.rq_jobs import run_worker

    url = current_app.config.get("NOTIFY_QUEUE_URL")
    if not url:
        raise click.ClickException("Set NOTIFY_QUEUE_URL (redis://...) for the RQ worker.")
    prepare_database()
    db.session.remove()
    run_worker(url, sweep)
