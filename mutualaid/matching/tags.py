"""The skill-tag taxonomy: dotted codes, a parent tag covers its children (``repair`` covers
``repair.plumbing``). It is fixed data, shipped with the code, in both languages."""
from flask_babel import gettext as _

from mutualaid.core.errors import ValidationFailed

# code: (name_zh, name_en)
TAXONOMY = {
    "repair": ("维修", "Repairs"),
    "repair.plumbing": ("水管维修", "Plumbing"),
    "repair.electrical": ("电路维修", "Electrical repairs"),
    "repair.appliance": ("家电维修", "Appliance repairs"),
    "errands": ("跑腿", "Errands"),
    "errands.shopping": ("代购买菜", "Shopping"),
    "errands.medicine": ("代取药品", "Picking up medicine"),
    "escort": ("陪同", "Escort"),
    "escort.hospital": ("陪同就医", "Escort to hospital"),
    "companionship": ("陪伴聊天", "Companionship"),
    "companionship.elderly": ("长者陪伴", "Elderly companionship"),
    "tutoring": ("辅导功课", "Tutoring"),
    "it_help": ("手机电脑帮忙", "Phone and computer help"),
    "cleaning": ("清洁", "Cleaning"),
    "moving": ("搬运", "Moving and carrying"),
    "pet_care": ("照看宠物", "Pet care"),
    "translation": ("翻译", "Translation"),
    "cooking": ("做饭送餐", "Cooking and meals"),
}
MAX_TAGS = 5


def parent_of(code):
    """The parent code of a dotted tag, or None for a top-level tag."""
    return code.rpartition(".")[0] or None


def taxonomy():
    """The taxonomy as the API lists it."""
    return [{"code": code, "parent": parent_of(code), "name_zh": zh, "name_en": en}
            for code, (zh, en) in TAXONOMY.items()]


def tag_name(code, locale):
    """The name of a tag in ``locale`` ("zh..." or English)."""
    zh, en = TAXONOMY[code]
    return zh if str(locale).startswith("zh") else en


def validate_tags(codes, field="tags"):
    """Distinct known codes, at least one and at most MAX_TAGS; raises ValidationFailed."""
    unknown = [code for code in codes if code not in TAXONOMY]
    if unknown:
        message = _("Unknown tags: %(tags)s", tags=", ".join(map(str, unknown)))
        raise ValidationFailed(message, fields={field: [message]})
    distinct = list(dict.fromkeys(codes))
    if not 1 <= len(distinct) <= MAX_TAGS:
        message = _("Choose between 1 and %(max)s tags.", max=MAX_TAGS)
        raise ValidationFailed(message, fields={field: [message]})
    return distinct


def covers(skill, wanted):
    """How well a helper's ``skill`` covers a ``wanted`` tag: 2 exact, 1 via a parent, 0 not."""
    if skill == wanted:
        return 2
    return 1 if wanted.startswith(skill + ".") else 0


def fit(skills, wanted_tags):
    """The best cover of each wanted tag by any of ``skills``, summed (0 when nothing fits)."""
    return sum(max((covers(skill, tag) for skill in skills), default=0) for tag in wanted_tags)
