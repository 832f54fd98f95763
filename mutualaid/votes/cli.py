"""Vote commands: ``close-due-votes`` (run from cron) and ``verify-vote ID`` (the audit)."""
import click

from mutualaid.core.extensions import db


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
@click.option("--head", default=None, metavar="HEX",
              help="The chain head published for the vote (on its notice): the records must "
                   "still lead to it.")
def verify_vote(vote_id, head):
    """Verify a vote's hash chain and recount it from the ballot records; exit 1 if tampered.

    With ``--head``, also that the records lead to the head published on the vote's notice:
    someone who rewrites the records and rehashes every later one keeps the chain intact,
    but cannot make it lead to a head already pinned in the lobby or photographed."""
    from mutualaid.cli import prepare_database
    from mutualaid.votes import domain
    from mutualaid.votes.models import Vote

    prepare_database()
    vote = db.session.get(Vote, vote_id)
    if vote is None:
        raise click.ClickException(f"no vote {vote_id}")
    problems, result = domain.verify_vote(vote)
    anchor = domain.chain_anchor(vote)
    if head is not None and head.strip().lower() != anchor["chain_head"]:
        problems.append(f"the records lead to {anchor['chain_head']} "
                        f"({anchor['ballots_count']} records), not to the published head {head}")
    if problems:
        for problem in problems:
            click.echo(f"TAMPERED: {problem}", err=True)
        raise SystemExit(1)
    counts = result.as_dict()
    click.echo(f"vote {vote.id}: chain intact, recount matches"
               f"{', head matches' if head else ''}.")
    click.echo(f"  chain head {anchor['chain_head']} ({anchor['ballots_count']} records)")
    click.echo(f"  participating {counts['participating']} of {counts['eligible']}, "
               f"quorum {'met' if counts['quorum_met'] else 'not met'}, "
               f"{'passed' if counts['passed'] else 'not passed'}")
    for choice, weight in counts["tally"].items():
        click.echo(f"  {choice}: {weight['headcount']} voter(s), area {weight['area_m2']}")


COMMANDS = (close_due_votes, verify_vote)
