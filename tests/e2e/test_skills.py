"""At phone size: a resident picks skills as chips, publishes an offer, withdraws it, and
sees a neighbour's offer."""
from playwright.sync_api import expect

from tests.e2e.test_foundation import sign_in


def verified_resident(server, live_api, community, username):
    """Register ``username`` and have staff verify them into the community's unit."""
    user = live_api().post("/auth/register", {"username": username, "password": "pw-" + username * 2,
                                              "display_name": username.title()})
    community["staff"].post(f"/users/{user['id']}/verify",
                            {"unit_id": community["unit"]["id"], "relation": "tenant"})
    return user


def test_pick_skills_publish_and_withdraw_an_offer_on_a_phone(server, community, live_api,
                                                               new_context):
    verified_resident(server, live_api, community, "mai")
    neighbour = verified_resident(server, live_api, community, "huang")
    live_api("huang", "pw-huanghuang").post("/offers", {"title": "买菜跑腿", "tags": ["errands"]})

    page = new_context().new_page()
    sign_in(page, server.url, "mai", "pw-maimai")
    page.get_by_role("link", name="技能服务").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("技能与服务")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    skills = page.get_by_test_id("skills-form")
    assert skills.locator("label.chip").first.bounding_box()["height"] >= 44  # touch target
    skills.get_by_label("手机电脑帮忙").check()
    skills.get_by_label("辅导功课").check()
    skills.get_by_label("愿意帮忙的范围（离家距离）").select_option("2000")
    with page.expect_navigation():  # saved, then the page reloads
        skills.get_by_role("button", name="保存我的技能").click()
    expect(page.get_by_test_id("skills-form").get_by_label("辅导功课")).to_be_checked()
    mine = live_api("mai", "pw-maimai").get("/me/skills")
    assert mine == {"tags": ["tutoring", "it_help"], "radius_m": 2000}

    offer = page.get_by_test_id("offer-form")
    offer.get_by_label("服务内容").fill("教老人用手机")
    offer.get_by_role("button", name="发布服务").click()  # no kind of help chosen: an error
    expect(offer.locator("[data-error-for=tags]")).not_to_be_empty()
    offer.get_by_label("手机电脑帮忙").check()
    offer.get_by_label("周一").uncheck()
    offer.get_by_label("上午").uncheck()
    offer.get_by_role("button", name="发布服务").click()
    my_offers = page.get_by_test_id("my-offers")
    expect(my_offers).to_contain_text("教老人用手机")
    [published] = live_api("mai", "pw-maimai").get("/offers?mine=true")["items"]
    assert published["availability"] == {"days": ["tue", "wed", "thu", "fri", "sat", "sun"],
                                         "parts": ["afternoon", "evening"]}

    expect(page.get_by_test_id("neighbour-offers")).to_contain_text("买菜跑腿")
    expect(page.get_by_test_id("neighbour-offers")).to_contain_text(neighbour["display_name"])

    my_offers.get_by_role("button", name="撤下“教老人用手机”").click()
    expect(my_offers).to_contain_text("已撤下")
    assert live_api("mai", "pw-maimai").get("/offers?mine=true")["items"][0]["active"] is False
