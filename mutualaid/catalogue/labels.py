"""Names shown for the catalogue's categories and audiences (zh-CN first through Babel)."""
from flask_babel import lazy_gettext

CATEGORY_NAMES = {
    "care": lazy_gettext("Personal care"), "health": lazy_gettext("Health"),
    "legal": lazy_gettext("Legal advice"), "children": lazy_gettext("Children"),
    "counselling": lazy_gettext("Counselling"), "repair": lazy_gettext("Repairs"),
    "employment": lazy_gettext("Jobs"), "digital": lazy_gettext("Digital skills"),
    "meals": lazy_gettext("Meals"),
}
AUDIENCE_NAMES = {
    "everyone": lazy_gettext("Everyone"), "elderly": lazy_gettext("Elderly"),
    "children": lazy_gettext("Children"), "women": lazy_gettext("Women"),
    "youth": lazy_gettext("Youth"), "disabled": lazy_gettext("People with disabilities"),
    "families": lazy_gettext("Families"),
}
