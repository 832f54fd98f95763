"""Who sees an appeal and who acts on it at its level.

The appellant and the staff of its community and street always see it (so do the grid
workers of its grid, who take it first); residents of the community see it when it is
public, without the appellant's name when it is anonymous; nobody else (404).
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from mutualaid.accounts.domain import staff_community_ids
from mutualaid.appeals.models import Appeal
from mutualaid.core.errors import Forbidden, NotFound
from mutualaid.core.extensions import db
from mutualaid.streets import domain as streets


class Scope:
    """What a viewer's roles reach, read once: staff, street and grid memberships."""

    def __init__(self, user):
        self.user = user
        self.admin = user.role == "admin"
        self.staff_of = staff_community_ids(user)
        self.street_communities = streets.street_staff_community_ids(user)
        self.grids = streets.worker_grid_ids(user)
        unit = user.unit
        self.home = unit.building.community_id if unit is not None else None

    def handles(self, appeal):
        """True for those who may see everything of the appeal (its staff, in a wide sense)."""
        return (self.admin or appeal.community_id in self.staff_of
                or appeal.community_id in self.street_communities
                or (appeal.grid_id is not None and appeal.grid_id in self.grids))

    def sees(self, appeal):
        """Whether the viewer may see the appeal at all."""
        if appeal.appellant_id == self.user.id or self.handles(appeal):
            return True
        return appeal.public and self.home == appeal.community_id

    def sees_name(self, appeal):
        """The appellant's name: hidden by ``anonymous`` from all but the appellant and staff."""
        return not appeal.anonymous or appeal.appellant_id == self.user.id or self.handles(appeal)

    def acts_at(self, appeal, level=None):
        """True when the viewer may act on the appeal at ``level`` (its current one)."""
        level = level or appeal.level
        if self.admin:
            return True
        if level == "grid":
            return (appeal.community_id in self.staff_of
                    or (appeal.grid_id is not None and appeal.grid_id in self.grids))
        if level == "community":
            return appeal.community_id in self.staff_of
        return appeal.community_id in self.street_communities


def get_visible(user, appeal_id):
    """The appeal if ``user`` may see it; raises NotFound otherwise (no hint that it exists)."""
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or not Scope(user).sees(appeal):
        raise NotFound(_("This appeal does not exist or is not visible to you."))
    return appeal


def require_acts(user, appeal):
    """Raise Forbidden unless ``user`` acts at the appeal's current level."""
    if not Scope(user).acts_at(appeal):
        raise Forbidden(_("Only those responsible at this appeal's level may do this."),
                        code="not_at_level")


def visible_appeals(user, status=None, category=None, building_id=None, mine=False):
    """A select of the appeals ``user`` may list, newest first, with the given filters."""
    scope = Scope(user)
    select = sa.select(Appeal).order_by(Appeal.created_at.desc(), Appeal.id.desc())
    own = Appeal.appellant_id == user.id
    if mine:
        select = select.where(own)
    elif not scope.admin:
        select = select.where(sa.or_(
            own, Appeal.community_id.in_(scope.staff_of | scope.street_communities),
            Appeal.grid_id.in_(scope.grids),
            sa.and_(Appeal.community_id == scope.home, Appeal.public.is_(True)),
        ))
    if status:
        select = select.where(Appeal.status == status)
    if category:
        select = select.where(Appeal.category == category)
    if building_id:
        select = select.where(Appeal.building_id == building_id)
    return select
