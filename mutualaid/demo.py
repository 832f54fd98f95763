"""The demo community, modelled on the Chancheng (Foshan) case: buildings B and C of an old
estate, owners and tenants, a few verified neighbours with skills, one staff member."""
import click
import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.core.extensions import db
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
    _seed_conversation()
    _seed_vote(staff, units)
    _seed_projects(staff, units)
    _seed_catalogue(staff, community)
    logins.append(_seed_account_seams())
    logins.append(("kiosk", "B", "/kiosk/" + _seed_kiosk(staff, community)))
    logins += _trust_notes(community)
    logins += seed_appeals(admin, staff, community)
    db.session.commit()
    return logins


def _trust_notes(community):
    """Rows showing the trust features: staff at the kiosk use their password (their PIN is
    refused there), and the demo vote's published chain head, to check with verify-vote."""
    from mutualaid.votes import domain as votes
    from mutualaid.votes.models import Vote

    rows = [("kiosk", "staff", "signs in at the kiosk with the password, never a PIN")]
    for vote in db.session.scalars(sa.select(Vote).where(Vote.community_id == community.id)):
        head = votes.chain_anchor(vote)["chain_head"]
        rows.append(("vote", str(vote.id), f"flask --app app verify-vote {vote.id} --head {head}"))
    return rows


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


def _seed_account_seams():
    """What joins the features: Auntie Liang's escort need taken by Mr Huang (she sees his name
    and phone), a need posted at the kiosk (its title and note read in each reader's language),
    and Granny Wu, just registered, told what comes next and waiting on the staff desk."""
    from mutualaid.orders import domain as orders
    from mutualaid.orders import texts

    people = {user.username: user for user in db.session.scalars(sa.select(User))}
    escort = orders.create_order(people["liang"], {
        "title": "周四陪我去医院复诊 Escort me to the hospital on Thursday",
        "tags": ["escort.hospital"], "urgency": "normal"})
    orders.accept_order(people["huang"], escort)
    orders.create_order(people["chen"], {"title": texts.TAG_TITLE + "companionship",
                                         "description": texts.KIOSK_POSTED,
                                         "tags": ["companionship"], "urgency": "low"})
    accounts.register_user("wu", PASSWORD, "吴阿婆 Granny Wu", "13800000006")
    return ("resident", "wu", "registered, waiting for verification")
def _seed_conversation():
    """Ms Mai and Mr Huang agreed on a time on her order's conversation, no phone numbers
    shared; their steps and messages are in their inboxes."""
    from mutualaid.conversation import domain as conversation
    from mutualaid.orders.models import Order

    order = db.session.scalar(sa.select(Order).where(Order.status == "confirmed"))
    mai, huang = order.requester, order.helper
    conversation.post_message(huang, order, "黄先生：我下午三点到，可以吗？ Mr Huang: 3 pm all right?")
    conversation.post_message(mai, order, "好的，谢谢！ Yes, thank you!")


def _seed_vote(staff, units):
    """The elevator replacement vote of building B, open for two weeks, with a few ballots."""
    from datetime import timedelta

    from mutualaid.core.database import utcnow
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
        closes_at=utcnow() + timedelta(days=14), notice_at=utcnow() - timedelta(days=3))
    _seed_project_details(staff, vote, user)
    votes.record_assisted_ballot(staff, vote, units["B", "101"], "yes", "kiosk",
                                 "陈伯在共享屋投票 at the share hut")
    votes.cast_ballot(user("liang"), vote, "yes")
    votes.cast_ballot(user("he"), vote, "no")
    votes.cast_ballot(user("he"), vote, "yes")  # a change of mind: both stay in the record
    votes.record_assisted_ballot(staff, vote, units["B", "702"], "yes", "paper", "纸质表决票 #1")


def _demo_pdf(title):
    """A one-page PDF with one line of text (the demo's stand-in for a scanned quote)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += b"trailer << /Size 6 /Root 1 0 R >>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


def _seed_project_details(staff, vote, user):
    """The elevator's cost plan (floors 1–2 pay nothing), its quote, and a question answered."""
    from mutualaid.votes import information, shares

    shares.set_cost_plan(staff, vote, total_cost=68_000_000, maintenance_fund=40_000_000,
                         subsidy=8_000_000, coefficients={6: 110, 7: 120})
    information.attach_document(staff, vote, "电梯报价单 Elevator quote", _demo_pdf(
        "Elevator quote: CNY 680,000 incl. installation"))
    question = information.ask_question(user("chen"), vote, "一楼也要出钱吗？ Does the ground "
                                        "floor pay too?")
    information.answer_question(staff, question, "一、二楼系数为 0，不需分摊。 Floors 1 and 2 "
                                "have coefficient 0 and pay nothing.")


def _seed_projects(staff, units):
    """Projects in the other stages: a notice (building C), one in its objection days with an
    objection, and a decided one whose final result is published."""
    from datetime import timedelta

    from mutualaid.core.database import utcnow
    from mutualaid.votes import domain as votes, information, stages

    now = utcnow()
    people = {u.username: u for u in db.session.scalars(sa.select(User))}
    building_b, building_c = units["B", "101"].building, units["C", "101"].building
    notice = votes.create_vote(
        staff, rule="ordinary", building=building_c, notice_at=now,
        opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=17),
        title="C栋外墙翻新 Repaint the facade of building C",
        description="使用专项维修资金翻新外墙。 Repaint the facade from the maintenance fund.")
    information.attach_document(staff, notice, "外墙方案 Facade plan", _demo_pdf("Facade plan"))
    start = now - timedelta(days=5)
    objected = votes.create_vote(
        staff, rule="ordinary", building=building_b, notice_at=start, now=start,
        opens_at=start, closes_at=start + timedelta(days=3),
        title="B栋门禁更换 New door entry for building B",
        description="更换单元门禁系统。 Replace the entry phones of building B.")
    votes.cast_ballot(people["liang"], objected, "yes", now=start + timedelta(hours=2))
    votes.cast_ballot(people["he"], objected, "no", now=start + timedelta(hours=3))
    votes.refresh_vote(objected, start + timedelta(days=3))  # closed at its time
    stages.file_objection(people["he"], objected, "我的纸质票没有计入。 My paper ballot is missing.",
                          now=start + timedelta(days=4))
    begun = now - timedelta(days=70)
    decided = votes.create_vote(
        staff, rule="ordinary", building=building_b, notice_at=begun, now=begun,
        opens_at=begun + timedelta(days=7), closes_at=begun + timedelta(days=40),
        title="B栋楼道照明 Stair lighting of building B",
        description="楼道换 LED 感应灯。 Motion-sensing LED lights on the stairs.")
    for name in ("chen", "liang", "he"):
        votes.cast_ballot(people[name], decided, "yes", now=begun + timedelta(days=8))
    votes.refresh_vote(decided, now)  # closed, and its objection days are over: final


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
