"""/api/v1 routes for skill tags, a user's skills and offers."""
from mutualaid.api import endpoint
from mutualaid.matching import models as _models  # noqa: F401  (tables for the ORM)
from mutualaid.matching import tags
from mutualaid.matching.schemas import SkillTagListSchema


@endpoint("/skill-tags", response=SkillTagListSchema, auth="anyone")
def list_skill_tags():
    """The skill-tag taxonomy, in both languages."""
    return {"items": tags.taxonomy()}
