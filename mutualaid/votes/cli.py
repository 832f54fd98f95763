"""Vote commands: ``close-due-votes`` (run from cron) and ``verify-vote ID`` (the audit)."""
import click

from mutualaid.extensions import db


@click.command("close-due-votes")
def close_due_votes():
    """Close votes past their closing time, announce those that opened or began their notice,
    and publish the final result of those whose objection days are over."""
    from mutualaid.cli import prepare_database
    from mutualaid.votes import domain

    prepare_database()
    changed = domain.refresh_due_votes()
    db.session.commit()
    for vote in changed:
        click.echo(f"vote {vote.id}: {vote.status}")
    click.echo(f"{len(changed)} vote(s) updated.")


@click.command("verify-vote")
@click.argument("vote_id", type=int)
def verify_vote(vote_id):
    """Verify a vote's hash chain and recount it from the ballot records; exit 1 if tampered."""
    from mutualaid.cli import prepare_database
    from mutualaid.votes import domain
    from mutualaid.votes.models import Vote

    prepare_database()
    vote = db.session.get(Vote, vote_id)
    if vote is None:
        raise click.ClickException(f"no vote {vote_id}")
    problems, result = domain.verify_vote(vote)
    if problems:
        for problem in problems:
            click.echo(f"TAMPERED: {problem}", err=True)
        raise SystemExit(1)
    counts = result.as_dict()
    click.echo(f"vote {vote.id}: chain intact, recount matches.")
    click.echo(f"  participating {counts['participating']} of {counts['eligible']}, "
               f"quorum {'met' if counts['quorum_met'] else 'not met'}, "
               f"{'passed' if counts['passed'] else 'not passed'}")
    for choice, weight in counts["tally"].items():
        click.echo(f"  {choice}: {weight['headcount']} voter(s), area {weight['area_m2']}")


COMMANDS = (close_due_votes, verify_vote)
