"""Names shown for the catalogue's categories and audiences (zh-CN first through Babel)."""
from flask_babel import lazy_gettext as _l

CATEGORY_NAMES = {
    "care": _l("Personal care"), "health": _l("Health"), "legal": _l("Legal advice"),
    "children": _l("Children"), "counselling": _l("Counselling"), "repair": _l("Repairs"),
    "employment": _l("Jobs"), "digital": _l("Digital skills"), "meals": _l("Meals"),
}
AUDIENCE_NAMES = {
    "everyone": _l("Everyone"), "elderly": _l("Elderly"), "children": _l("Children"),
    "women": _l("Women"), "youth": _l("Youth"), "disabled": _l("People with disabilities"),
    "families": _l("Families"),
}
