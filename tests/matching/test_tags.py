"""Skill tags: the taxonomy, validation and how a parent tag covers its children."""
import pytest

from mutualaid.core.errors import ValidationFailed
from mutualaid.matching import tags

REQUIRED = ["repair", "repair.plumbing", "repair.electrical", "errands", "errands.shopping",
            "escort", "escort.hospital", "companionship", "tutoring", "it_help", "cleaning",
            "moving", "pet_care", "translation"]


def test_taxonomy_has_the_contract_codes_with_parents_that_exist():
    listed = {item["code"]: item for item in tags.taxonomy()}
    assert set(REQUIRED) <= set(listed)
    for item in listed.values():
        assert item["parent"] is None or item["parent"] in listed
        assert item["name_zh"] and item["name_en"]


@pytest.mark.parametrize(("skill", "wanted", "score"), [
    ("repair.plumbing", "repair.plumbing", 2),
    ("repair", "repair.plumbing", 1),
    ("repair.plumbing", "repair", 0),
    ("repair", "repairs", 0),
    ("errands", "escort", 0),
])
def test_parent_covers_children_and_exact_fits_better(skill, wanted, score):
    assert tags.covers(skill, wanted) == score


def test_fit_sums_the_best_cover_per_wanted_tag():
    assert tags.fit(["repair", "repair.plumbing"], ["repair.plumbing", "repair.electrical"]) == 3
    assert tags.fit([], ["repair"]) == 0


@pytest.mark.parametrize("codes", [[], ["nope"], ["repair"] * 1 + ["a", "b"],
                                   ["repair", "errands", "escort", "cleaning", "moving", "tutoring"]])
def test_validate_tags_refuses_unknown_empty_or_too_many(app, codes):
    with pytest.raises(ValidationFailed):
        tags.validate_tags(codes)


def test_validate_tags_drops_duplicates_keeping_order(app):
    assert tags.validate_tags(["repair", "errands", "repair"]) == ["repair", "errands"]
