"""The demo community, modelled on the Chancheng (Foshan) case: buildings B and C of an old
estate, owners and tenants, a few verified neighbours with skills, one staff member."""
import click
import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.extensions import db
from mutualaid.places import domain as places
from mutualaid.places.models import Community

COMMUNITY = "岭南社区 Lingnan"
PASSWORD = "sharehut-demo"
# (username, display name, phone, building, unit, relation, owns it)
RESIDENTS = [
    ("chen", "陈伯 Uncle Chen", "13800000001", "B", "101", "owner", True),
    ("liang", "梁姨 Auntie Liang", "13800000002", "B", "302", "owner", True),
    ("he", "何师傅 Master He", "13800000003", "B", "601", "owner", True),
    ("mai", "麦小姐 Ms Mai", "13800000004", "C", "201", "tenant", False),
    ("huang", "黄先生 Mr Huang", "13800000005", "C", "502", "owner", True),
]
BUILDINGS = {"B": (23.0215, 113.1150), "C": (23.0221, 113.1162)}
# username: (skills, radius_m, [(offer title, tags, days, parts)])
SKILLS = {
    "he": (["repair.plumbing", "repair.electrical"], 1500,
           [("修水管、换灯泡 Taps and light bulbs", ["repair.plumbing", "repair.electrical"],
             ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ["morning", "afternoon"])]),
    "mai": (["it_help", "tutoring"], 1000,
            [("教长辈用手机 Phone lessons for elders", ["it_help"],
              ["mon", "tue", "wed", "thu", "fri"], ["evening"])]),
    "huang": (["errands", "moving"], 2000,
              [("顺路代买菜 Market runs", ["errands.shopping"], ["sat", "sun"], ["morning"])]),
    "liang": (["companionship.elderly", "cooking"], 500, []),
}


def is_seeded():
    """True when the demo community exists."""
    return db.session.scalar(sa.select(Community.id).where(Community.name == COMMUNITY)) is not None


def _units(building_name):
    """Seven floors of four flats with the areas of a 1990s walk-up (52–88 m²)."""
    areas = ["52.36", "68.90", "75.12", "88.04"]
    return [(f"{floor}{flat:02d}", areas[flat - 1]) for floor in range(1, 8) for flat in (1, 2, 3, 4)]


def seed():
    """Create the demo world and return the logins as (role, username, note) rows."""
    from mutualaid.appeals.demo import seed_appeals
    from mutualaid.places.areas import parse_area

    admin = accounts.register_user("admin", PASSWORD, "管理员 Admin", role="admin")
    staff = accounts.register_user("staff", PASSWORD, "社工小林 Worker Lin", "13900000000")
    community = places.create_community(admin, COMMUNITY)
    accounts.add_staff(admin, staff, community)
    units = {}
    for name, (lat, lon) in BUILDINGS.items():
        building = places.add_building(staff, community, name, lat, lon)
        for number, area in _units(name):
            units[name, number] = places.add_unit(staff, building, number, parse_area(area))
    logins = [("admin", "admin", ""), ("staff", "staff", COMMUNITY)]
    for username, display, phone, building, number, relation, owns in RESIDENTS:
        user = accounts.register_user(username, PASSWORD, display, phone)
        unit = units[building, number]
        accounts.verify_user(staff, user, unit, relation)
        accounts.set_pin(staff, user, "2468")
        if owns:
            places.set_owner(staff, unit, user)
        logins.append(("resident", username, f"{building}-{number} {relation}"))
    accounts.set_flags(staff, db.session.scalar(sa.select(User).where(
        User.username == "chen")), vulnerable=True)
    _seed_skills()
    _seed_orders(staff)
    _seed_vote(staff, units)
    _seed_catalogue(staff, community)
    logins.append(("kiosk", "B", "/kiosk/" + _seed_kiosk(staff, community)))
    logins += seed_appeals(admin, staff, community)
    db.session.commit()
    return logins


def _seed_orders(staff):
    """Uncle Chen (vulnerable, living alone) needs his tap fixed, posted by staff for him;
    Ms Mai's phone help from Mr Huang is done and thanked, so credits show."""
    from mutualaid.orders import domain as orders

    people = {user.username: user for user in db.session.scalars(sa.select(User))}
    accounts.set_flags(staff, people["he"], vetted=True)
    orders.create_order(staff, {
        "title": "厨房水管漏水 Kitchen pipe leaking", "tags": ["repair.plumbing"],
        "description": "陈伯一个人住，水管滴水两天了。 Uncle Chen lives alone; it has dripped for "
                       "two days.", "urgency": "high", "on_behalf_of": people["chen"].id,
    })
    done = orders.create_order(people["mai"], {
        "title": "教我用手机预约门诊 Help me book a clinic on my phone", "tags": ["it_help"],
        "urgency": "normal",
    })
    orders.accept_order(people["huang"], done)
    orders.start_order(people["huang"], done)
    orders.complete_order(people["huang"], done, 40)
    orders.confirm_order(people["mai"], done, 5, "谢谢黄先生！ Thank you, Mr Huang!")


def _seed_vote(staff, units):
    """The elevator replacement vote of building B, open for two weeks, with a few ballots."""
    from datetime import timedelta

    from mutualaid.database import utcnow
    from mutualaid.votes import domain as votes

    def user(name):
        return db.session.scalar(sa.select(User).where(User.username == name))

    vote = votes.create_vote(
        staff, rule="major", building=units["B", "101"].building,
        title="B栋更换电梯 Replace the elevator of building B",
        description=("拆除旧电梯，更换为无障碍电梯；总价约 68 万元，其中 40 万元由专项维修资金支付，"
                     "其余按专有部分面积分摊。\nRemove the old lift and install a step-free one; about "
                     "CNY 680,000, of which 400,000 from the maintenance fund and the rest shared "
                     "by floor area."),
        closes_at=utcnow() + timedelta(days=14))
    votes.record_assisted_ballot(staff, vote, units["B", "101"], "yes", "kiosk",
                                 "陈伯在共享屋投票 at the share hut")
    votes.cast_ballot(user("liang"), vote, "yes")
    votes.cast_ballot(user("he"), vote, "no")
    votes.cast_ballot(user("he"), vote, "yes")  # a change of mind: both stay in the record
    votes.record_assisted_ballot(staff, vote, units["B", "702"], "yes", "paper", "纸质表决票 #1")


def _seed_skills():
    """Skills and standing offers of the demo neighbours (Master He is vetted)."""
    from mutualaid.matching import domain as matching

    staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
    for username, (skills, radius_m, offers) in SKILLS.items():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        matching.set_skills(user, skills, radius_m)
        for title, tags, days, parts in offers:
            matching.create_offer(user, title, tags, radius_m=radius_m,
                                  availability={"days": days, "parts": parts})
        if username == "he":
            accounts.set_flags(staff, user, vetted=True)
# The 13 kinds of micro-service a street centre typically offers:
# (title, provider, category, audience, days from now, hour, seats, place)
SERVICES = [
    ("长者义剪 Free haircuts for the elderly", "义工理发队 Volunteer barbers", "care", "elderly", 1, 9, 8, "共享小屋 Share hut"),
    ("免费体检 Health check (blood pressure, sugar)", "社区卫生站 Community clinic", "health", "elderly", 1, 14, 20, "卫生站 Clinic"),
    ("法律咨询 Legal advice", "律师志愿者 Volunteer lawyers", "legal", "everyone", 2, 19, 6, "党群服务中心 Service centre"),
    ("四点半课堂 After-school care", "青年志愿者 Youth volunteers", "children", "children", 0, 16, 15, "活动室 Activity room"),
    ("心理咨询 Psychological counselling", "社工站 Social workers", "counselling", "everyone", 3, 10, 4, "谈心室 Quiet room"),
    ("家电维修 Appliance repair", "维修志愿队 Repair volunteers", "repair", "everyone", 2, 9, 10, "共享小屋 Share hut"),
    ("缝补衣物 Tailoring and mending", "巧手阿姨 Auntie tailors", "repair", "everyone", 4, 9, 10, "共享小屋 Share hut"),
    ("磨刀 Knife sharpening", "磨刀师傅 Master grinder", "repair", "everyone", 0, 15, 12, "楼下空地 Courtyard"),
    ("足部护理 Foot care", "康复护士 Rehab nurses", "care", "elderly", 5, 10, 6, "卫生站 Clinic"),
    ("视力检查 Eye checks", "眼科医院 Eye hospital", "health", "everyone", 6, 9, 20, "党群服务中心 Service centre"),
    ("就业指导 Job advice", "人社所 Employment office", "employment", "youth", 3, 14, 10, "党群服务中心 Service centre"),
    ("长者智能手机课 Smartphone classes", "大学生志愿者 Student volunteers", "digital", "elderly", 1, 15, 2, "活动室 Activity room"),
    ("长者助餐 Meal delivery", "长者饭堂 Seniors' canteen", "meals", "elderly", 0, 11, 30, "长者饭堂 Canteen"),
]


def _seed_catalogue(staff, community):
    """The street centre's catalogue, each service with two upcoming sessions (China time)."""
    from datetime import datetime, time, timedelta, timezone

    from mutualaid.catalogue import domain as catalogue

    china = timezone(timedelta(hours=8))
    today = datetime.now(china).date()
    for title, provider, category, audience, days, hour, seats, place in SERVICES:
        service = catalogue.create_service(staff, community.id, title, provider, category,
                                           audience)
        for week in (0, 1):
            day = today + timedelta(days=days + 7 * week)
            starts = datetime.combine(day, time(hour), china)
            if starts <= datetime.now(china):
                starts = datetime.combine(day, time(23, 30), china) + timedelta(days=7)
            catalogue.add_session(staff, service, starts, 60, seats, place)


def _seed_kiosk(staff, community):
    """The share-hut tablet of building B; returns its raw token (printed once)."""
    from mutualaid.kiosk import domain as kiosks
    from mutualaid.places.models import Building

    building = db.session.scalar(sa.select(Building).where(
        Building.community_id == community.id, Building.name == "B"))
    _kiosk, token = kiosks.issue_kiosk(staff, building, "B栋共享小屋 Share hut B")
    return token


def print_logins(logins):
    """Print the demo logins for the README's first run."""
    click.echo(f"Demo community {COMMUNITY!r} is ready. Password for every login: {PASSWORD}")
    click.echo("Kiosk PIN for every resident: 2468")
    for role, username, note in logins:
        click.echo(f"  {role:9} {username:8} {note}")
