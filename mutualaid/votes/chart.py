"""Turnout over time, drawn on the server as a small SVG: the share of the eligible area and
headcount taking part, from the opening to the close (or now), against the two-thirds line.

Participation only grows: a voter counts from their first ballot record (a change moves no
line). Shares are exact fractions turned into whole SVG units at the end.
"""
from mutualaid.core.database import utcnow
from mutualaid.votes import audit, rules
from mutualaid.votes.counting import electorate

WIDTH, HEIGHT = 300, 120  # the SVG's own units; CSS scales it to the page


def turnout_points(vote):
    """``[(time, area taking part, headcount taking part)]`` in recording order."""
    voters = electorate(vote)
    seen, area, heads, points = set(), 0, 0, []
    for ballot in audit.records(vote.id):
        if ballot.voter_key in seen or ballot.voter_key not in voters:
            continue
        seen.add(ballot.voter_key)
        area, heads = area + voters[ballot.voter_key], heads + 1
        points.append((ballot.recorded_at, area, heads))
    return points, sum(voters.values()), len(voters)


def _path(points, start, span, whole, index):
    """An SVG polyline's points for one measure, as a step line from the opening."""
    if not whole:
        return ""
    coords, last_y = [f"0,{HEIGHT}"], HEIGHT
    for moment, *values in points:
        x = round(WIDTH * max(0, (moment - start).total_seconds()) / span)
        y = HEIGHT - round(HEIGHT * values[index] / whole)
        coords += [f"{x},{last_y}", f"{x},{y}"]
        last_y = y
    coords.append(f"{WIDTH},{last_y}")
    return " ".join(coords)


def turnout_chart(vote, now=None):
    """What the template draws: the two lines, the 2/3 line and the figures; None for polls
    and votes that have not opened."""
    now = now or utcnow()
    if vote.rule == rules.POLL or vote.opens_at > now:
        return None
    end = vote.closed_at or now
    span = max((end - vote.opens_at).total_seconds(), 1)
    points, area, heads = turnout_points(vote)
    last = points[-1] if points else (None, 0, 0)
    return {
        "width": WIDTH, "height": HEIGHT, "quorum_y": HEIGHT - round(HEIGHT * 2 / 3),
        "area": _path(points, vote.opens_at, span, area, 0),
        "headcount": _path(points, vote.opens_at, span, heads, 1),
        "area_percent": 100 * last[1] // area if area else 0,
        "headcount_percent": 100 * last[2] // heads if heads else 0,
        "start": vote.opens_at, "end": end,
    }
