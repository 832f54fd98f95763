"""Demo appeals: Zumiao street with Lingnan and a second community, grids with their workers,
and appeals in every state over the last weeks, so the open board has something to show."""
from datetime import timedelta

import sqlalchemy as sa

from mutualaid.accounts import domain as accounts
from mutualaid.accounts.models import User
from mutualaid.appeals import checks, domain
from mutualaid.core.database import utcnow
from mutualaid.core.extensions import db
from mutualaid.places import domain as places
from mutualaid.places.models import Building
from mutualaid.streets import domain as streets

STREET = "祖庙街道 Zumiao Street"
SECOND = "莲花社区 Lianhua"
HOUR = timedelta(hours=1)
# (who, building, category, title, description, days ago, steps, public, anonymous)
APPEALS = [
    ("chen", "B", "facilities", "楼道灯坏了 Stairway light is out", "三楼到五楼晚上全黑。",
     0.1, [], True, False),
    ("liang", "B", "environment", "垃圾桶满了没人清 Bins overflowing", "门口两个垃圾桶三天没清。",
     2, ["accept", "start"], True, False),
    ("mai", "C", "noise", "广场舞太吵 Square dancing at night", "晚上十点后还在放音乐。",
     6, ["accept", "start", "resolve", "satisfied"], True, True),
    ("huang", "C", "parking", "僵尸车占消防通道 Abandoned car in the fire lane", "停了半年，轮胎都瘪了。",
     12, ["accept", "start", "resolve", "basically_satisfied"], True, False),
    ("he", "B", "safety", "单元门禁坏了 The entrance lock is broken", "刷卡没反应，陌生人随便进。",
     9, ["accept", "start", "resolve", "unsatisfied"], True, False),
    ("chen", "B", "property_management", "屋顶漏水 The roof leaks", "下雨时顶楼渗水。",
     20, ["accept", "start", "resolve"], True, False),
    ("liang", "B", "neighbours", "楼上装修噪音 Renovation noise upstairs", "中午也在打钻。",
     4, ["reject"], False, False),
    ("mai", "C", "environment", "垃圾桶旁有老鼠 Rats by the bins", "",
     1.5, ["merge"], True, False),
    ("huang", "C", "public_services", "公交站没有座椅 No seats at the bus stop", "老人等车很辛苦。",
     5, [], True, False),
    ("zhou", "L1", "parking", "电动车乱停 E-bikes block the path", "轮椅过不去。",
     3, ["accept", "start", "resolve", "satisfied"], True, False),
    ("xu", "L1", "environment", "绿化带没人修剪 Overgrown hedges", "",
     8, ["accept", "start", "resolve", "satisfied"], True, False),
    ("zhou", "L2", "facilities", "健身器材坏了 Broken exercise machine", "",
     2.5, ["accept"], True, False),
    ("xu", "L2", "noise", "夜间施工 Building work at night", "凌晨还在施工。",
     15, ["accept", "start", "resolve", "satisfied"], True, False),
]


def seed_appeals(admin, staff, community):
    """Create the street, the second community, the grids and the appeals; return logins."""
    now = utcnow()
    from mutualaid.demo import PASSWORD as password

    street = streets.create_street(admin, STREET)
    streets.add_community(admin, street, community)
    street_staff = accounts.register_user("street", password, "街道小王 Street officer Wang",
                                          role="staff")
    streets.add_street_staff(admin, street, street_staff)
    worker = accounts.register_user("grid", password, "网格员小李 Grid worker Li", role="staff")
    second, staff2 = _second_community(admin, street, password)
    buildings = {b.name: b for b in db.session.scalars(sa.select(Building))}
    streets.create_grid(staff, community, "一网格 Grid 1", [buildings["B"].id], [worker.id])
    streets.create_grid(staff2, second, "莲花一网格 Lianhua grid", [buildings["L1"].id],
                        [staff2.id])
    people = {user.username: user for user in db.session.scalars(sa.select(User))}
    handlers = {community.id: (worker, staff), second.id: (staff2, staff2)}
    filed = [_appeal(row, people, buildings, handlers, now) for row in APPEALS]
    domain.merge_appeal(staff, filed[7], filed[1], now - 1.4 * 24 * HOUR)
    checks.run_checks(now)
    return [("admin", "admin", "streets, their communities and staff: /staff/streets"),
            ("staff", "staff", "grids of Lingnan: /staff/grids (building C is in none)"),
            ("staff", "street", f"{STREET}: /staff/streets, its time limits: /appeals/staff"),
            ("staff", "grid", "一网格 Grid 1: its appeals at /appeals/staff"),
            ("staff", "staff2", f"{SECOND}: /staff/grids")]


def _second_community(admin, street, password):
    """Lianhua: two buildings, its staff member and two residents."""
    from mutualaid.places.areas import parse_area

    second = places.create_community(admin, SECOND)
    streets.add_community(admin, street, second)
    staff2 = accounts.register_user("staff2", password, "社工小陈 Worker Chen", "13900000002",
                                    role="staff")
    accounts.add_staff(admin, staff2, second)
    for name, lat, lon, resident, display in (
            ("L1", 23.0290, 113.1201, "zhou", "周阿姨 Auntie Zhou"),
            ("L2", 23.0296, 113.1210, "xu", "徐先生 Mr Xu")):
        building = places.add_building(staff2, second, name, lat, lon)
        unit = places.add_unit(staff2, building, "101", parse_area("68.50"))
        user = accounts.register_user(resident, password, display, "13800000010")
        accounts.verify_user(staff2, user, unit, "owner")
        accounts.set_pin(staff2, user, "2468")
    return second, staff2


def _appeal(row, people, buildings, handlers, now):
    """File one demo appeal ``days`` ago and take its steps an hour or so apart."""
    who, building, category, title, description, days, steps, public, anonymous = row
    at = now - days * 24 * HOUR
    appeal = domain.file_appeal(people[who], {
        "category": category, "title": title, "description": description,
        "building_id": buildings[building].id, "public": public, "anonymous": anonymous},
        now=at)
    worker, staff = handlers[appeal.community_id]
    for step in steps:
        at += 2 * HOUR
        actor = worker if appeal.level == "grid" else staff
        if step == "accept":
            domain.accept_appeal(actor, appeal, at)
        elif step == "start":
            domain.start_appeal(actor, appeal, at)
        elif step == "resolve":
            at += 20 * HOUR
            domain.resolve_appeal(actor, appeal, "已处理，请查看 Done, please have a look", at)
        elif step == "reject":
            domain.reject_appeal(staff, appeal, "属邻里协商事项 A matter for the neighbours", at)
        elif step in ("satisfied", "basically_satisfied", "unsatisfied"):
            domain.rate_appeal(people[who], appeal, step, now=at)
    return appeal
