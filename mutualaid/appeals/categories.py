"""The appeal categories: codes with their Chinese and English names."""
from flask_babel import get_locale

CATEGORIES = {
    "environment": ("环境卫生", "Environment and cleanliness"),
    "noise": ("噪音扰民", "Noise"),
    "parking": ("停车管理", "Parking"),
    "facilities": ("公共设施", "Shared facilities"),
    "property_management": ("物业管理", "Property management"),
    "safety": ("安全隐患", "Safety"),
    "neighbours": ("邻里纠纷", "Between neighbours"),
    "public_services": ("公共服务", "Public services"),
    "other": ("其他", "Other"),
}
CODES = tuple(CATEGORIES)


def category_name(code, locale=None):
    """The category's name in ``locale`` (the reader's language when None)."""
    zh, en = CATEGORIES[code]
    locale = str(locale or get_locale() or "zh_CN")
    return en if locale.startswith("en") else zh


def taxonomy():
    """Every category as ``{code, name_zh, name_en}``."""
    return [{"code": code, "name_zh": zh, "name_en": en} for code, (zh, en) in CATEGORIES.items()]
