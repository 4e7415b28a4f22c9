"""The demo organisation: ~1,000 people in a realistic company, built deterministically.

Read from ``demo_data/organisation.json`` (departments tree, 41 roles with family, seniority,
department, ESCO URI, O*NET SOC code and headcount weight, 6 locations with time zones and weights).
A fixed random seed gives the same company every time: a CEO, a head for every department (sub-
department heads report to their parent department's head, the others to the CEO), team leads and
teams of 5-10, hire dates over ~10 years with more recent joiners, ~3% leavers, locations by weight,
languages by location. Data & Analytics is kept small (24 people) so that the demo manager's
reporting line is easy to read.

Everyone has an unusable password except the demo logins below (password ``DEMO_PASSWORD``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone

from trellis.core.services import audit_log
from trellis.people.bulk import employees_bulk_update
from trellis.people.models import Department, Employee, Group, JobRole, Location

DEMO_PASSWORD = "trellis-demo"
DEMO_DOMAIN = "demo.trellis.example"
DATA_FILE = Path(__file__).parent / "demo_data" / "organisation.json"
SEED = 20240917
TARGET_EMPLOYEES = 1000
#: Department sizes fixed by hand (everyone else shares the rest by headcount weight).
FIXED_SIZES = {"data-analytics": 24}
LEAVER_SHARE = 0.03

#: The head of each department (its most senior role).
HEADS = {
    "executive": "Chief Executive Officer",
    "technology-data": "Chief Technology Officer",
    "engineering": "Product Manager",
    "data-analytics": "Chief Data Officer",
    "it-security": "ICT Security Manager",
    "sales": "Sales Manager",
    "customer-service": "Contact Centre Manager",
    "operations": "Operations Manager",
    "finance": "Financial Manager",
    "people": "Human Resources Manager",
    "learning": "Learning & Development Manager",
    "legal": "Lawyer",
    "marketing": "Marketing Manager",
}

#: The people you can sign in as (printed by ``trellis demo``).
DEMO_LOGINS: list[dict[str, str]] = [
    {
        "role": "L&D admin",
        "username": "lena",
        "description": "Lena Fischer, Learning & Development Manager",
    },
    {
        "role": "Executive",
        "username": "daniel",
        "description": "Daniel Okafor, Chief Executive Officer",
    },
    {
        "role": "Manager",
        "username": "priya",
        "description": "Priya Raman, Chief Data Officer (head of Data & Analytics)",
    },
    {
        "role": "Learner",
        "username": "sam",
        "description": "Sam Carter, Data Analyst in Data & Analytics",
    },
    {"role": "Auditor", "username": "alex", "description": "Alex Moreau, Data Protection Officer"},
]
_LOGIN_GROUPS = {"lena": "ld_admin", "daniel": "executive", "alex": "auditor"}

FIRST_NAMES = [
    "Aisha",
    "Alejandro",
    "Amara",
    "Anders",
    "Ana",
    "Arjun",
    "Ben",
    "Bianca",
    "Carlos",
    "Chen",
    "Chloe",
    "Chidi",
    "Clara",
    "Dmitri",
    "Elena",
    "Emeka",
    "Emma",
    "Farah",
    "Felix",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Hiroshi",
    "Ibrahim",
    "Inês",
    "Isabel",
    "Jakob",
    "James",
    "Jia",
    "João",
    "Julia",
    "Kamal",
    "Karin",
    "Kenji",
    "Kwame",
    "Laura",
    "Leon",
    "Lina",
    "Lucas",
    "Maya",
    "Mariana",
    "Mateo",
    "Mei",
    "Mohammed",
    "Nadia",
    "Nikhil",
    "Noah",
    "Olga",
    "Omar",
    "Paula",
    "Pedro",
    "Rahul",
    "Rosa",
    "Ruth",
    "Samir",
    "Sara",
    "Sofia",
    "Tariq",
    "Thomas",
    "Tomás",
    "Valentina",
    "Wei",
    "Yasmin",
    "Yusuf",
    "Zainab",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Ahmed",
    "Almeida",
    "Andersen",
    "Bakker",
    "Becker",
    "Brown",
    "Carvalho",
    "Chen",
    "Costa",
    "Das",
    "Dubois",
    "Eze",
    "Ferreira",
    "Fischer",
    "Garcia",
    "Goh",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hoffmann",
    "Ibrahim",
    "Ito",
    "Jansen",
    "Johnson",
    "Kaur",
    "Khan",
    "Kim",
    "Koch",
    "Kowalski",
    "Lee",
    "Lim",
    "Lopes",
    "Martin",
    "Mensah",
    "Meyer",
    "Müller",
    "Nair",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Oliveira",
    "Osei",
    "Patel",
    "Pereira",
    "Petrov",
    "Richter",
    "Rossi",
    "Santos",
    "Schmidt",
    "Schulz",
    "Silva",
    "Singh",
    "Smith",
    "Sousa",
    "Tan",
    "Taylor",
    "Walker",
    "Wang",
    "Weber",
    "Williams",
    "Wong",
    "Yilmaz",
    "Zhang",
]
#: Language mix by location (the rest speak English).
LANGUAGES = {
    "Berlin": [("de", 0.6)],
    "Lisbon": [("pt", 0.6)],
    "Remote (EU)": [("de", 0.15), ("pt", 0.1)],
}


def _allocate(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``total`` by ``weights`` with largest-remainder rounding (deterministic)."""
    weight_sum = sum(weights.values())
    if not weight_sum:
        return dict.fromkeys(weights, 0)
    raw = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _ascii(name: str) -> str:
    import unicodedata

    return (
        unicodedata.normalize("NFKD", name)
        .encode("ascii", "ignore")
        .decode()
        .lower()
        .replace(" ", "")
    )


def _summary() -> dict[str, Any]:
    demo = Employee.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    return {
        "departments": Department.objects.count(),
        "locations": Location.objects.count(),
        "job_roles": JobRole.objects.count(),
        "employees": demo.count(),
        "leavers": demo.filter(is_active=False).count(),
        "logins": len(DEMO_LOGINS),
    }


def build_organisation(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Build the demo company (idempotent: does nothing if it is already there)."""
    if Employee.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        return {**_summary(), "created": 0}
    spec = json.loads(DATA_FILE.read_text())
    rng = random.Random(SEED)
    today = timezone.localdate()

    # Departments (parents first), locations, job roles with their occupations.
    departments: dict[str, Department] = {d.code: d for d in Department.objects.all()}
    for item in spec["departments"]:
        if item["code"] in departments:
            continue
        parent = departments[item["parent"]] if item["parent"] else None
        dept = Department.objects.create(name=item["name"], code=item["code"], parent=parent)
        prefix = parent.path if parent else "/"
        dept.path, dept.depth = f"{prefix}{dept.pk}/", prefix.count("/") - 1
        dept.save(update_fields=["path", "depth"])
        departments[dept.code] = dept
    locations = {loc.name: loc for loc in Location.objects.all()}
    for item in spec["locations"]:
        if item["name"] not in locations:
            locations[item["name"]] = Location.objects.create(
                name=item["name"], country=item["country"], timezone=item["timezone"]
            )
    occupations = _occupations(spec["roles"])
    roles = {r.title: r for r in JobRole.objects.all()}
    for item in spec["roles"]:
        role = roles.get(item["title"])
        occupation = occupations.get(item.get("esco_uri") or "")
        onet = occupations.get(f"onet:{item['onet_soc']}" if item.get("onet_soc") else "")
        if role is None:
            roles[item["title"]] = JobRole.objects.create(
                title=item["title"],
                family=item["family"],
                seniority=item["seniority"],
                occupation=occupation,
                onet_occupation=onet,
            )
        elif (role.occupation is None and occupation) or (role.onet_occupation is None and onet):
            role.occupation = role.occupation or occupation
            role.onet_occupation = role.onet_occupation or onet
            role.save(update_fields=["occupation", "onet_occupation", "updated_at"])
    role_spec = {r["title"]: r for r in spec["roles"]}

    # Headcount per role.
    by_dept: dict[str, dict[str, float]] = {}
    for r in spec["roles"]:
        if r["headcount_weight"]:
            by_dept.setdefault(r["department"], {})[r["title"]] = r["headcount_weight"]
    rest = TARGET_EMPLOYEES - len(HEADS) - sum(FIXED_SIZES.values())
    free = {t: w for code, ws in by_dept.items() if code not in FIXED_SIZES for t, w in ws.items()}
    counts = _allocate(rest, free)
    for code, size in FIXED_SIZES.items():
        counts.update(_allocate(size, by_dept[code]))

    # People as plain dicts first: heads, then department members in teams.
    people: list[dict[str, Any]] = []

    def person(title: str, dept: str, *, senior: bool = False) -> dict[str, Any]:
        p = {"title": title, "dept": dept, "reports": [], "manager": None, "senior": senior}
        people.append(p)
        return p

    heads = {code: person(title, code, senior=True) for code, title in HEADS.items()}
    for code, head in heads.items():
        parent = next(d["parent"] for d in spec["departments"] if d["code"] == code)
        if code != "executive":
            head["manager"] = heads[parent] if parent else heads["executive"]
    for code in HEADS:
        members = [
            person(title, code)
            for title, n in counts.items()
            if role_spec[title]["department"] == code
            for _ in range(n)
        ]
        rng.shuffle(members)
        members.sort(key=lambda p: -role_spec[p["title"]]["seniority"])
        _build_teams(heads[code], members)

    # Names, emails, locations, languages, dates.
    used_names: set[tuple[str, str]] = set()
    location_names = [loc["name"] for loc in spec["locations"]]
    location_weights = [loc["weight"] for loc in spec["locations"]]
    for p in people:
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        p["first"], p["last"] = first, last
        p["location"] = rng.choices(location_names, weights=location_weights)[0]
        p["language"] = "en"
        roll = rng.random()
        for code, share in LANGUAGES.get(p["location"], []):
            if roll < share:
                p["language"] = code
                break
            roll -= share
        days = int(3650 * rng.random() ** (0.8 if p["senior"] else 1.8))
        p["hire_date"] = today - dt.timedelta(days=max(days, 14))
        p["left_on"] = None

    # The demo logins get fixed names.
    analyst = next(p for p in people if p["title"] == "Data Analyst" and p["manager"] is not None)
    dpo = next(p for p in people if p["title"] == "Data Protection Officer")
    for p, (first, last, username) in (
        (heads["learning"], ("Lena", "Fischer", "lena")),
        (heads["executive"], ("Daniel", "Okafor", "daniel")),
        (heads["data-analytics"], ("Priya", "Raman", "priya")),
        (analyst, ("Sam", "Carter", "sam")),
        (dpo, ("Alex", "Moreau", "alex")),
    ):
        p["first"], p["last"], p["username"] = first, last, username
    analyst["location"], analyst["language"] = "London", "en"

    # Leavers: ~3% of the people without reports (never a demo login).
    for p in people:
        if p["manager"] is not None:
            p["manager"]["reports"].append(p)
    candidates = [p for p in people if not p["reports"] and "username" not in p]
    for p in rng.sample(candidates, round(len(people) * LEAVER_SHARE)):
        span = max((today - p["hire_date"]).days, 2)
        p["left_on"] = p["hire_date"] + dt.timedelta(days=rng.randint(1, span - 1))

    # Users and employees, in bulk.
    User = get_user_model()
    taken = set(User.objects.values_list("username", flat=True))
    emails: set[str] = set(Employee.objects.values_list("email", flat=True))
    unusable, demo_hash = make_password(None), make_password(DEMO_PASSWORD)
    users = []
    for p in people:
        local = f"{_ascii(p['first'])}.{_ascii(p['last'])}"
        email, n = f"{local}@{DEMO_DOMAIN}", 1
        while email in emails:
            n += 1
            email = f"{local}{n}@{DEMO_DOMAIN}"
        emails.add(email)
        p["email"] = email
        username = p.get("username") or email.split("@")[0]
        while username in taken:
            username += "1"
        taken.add(username)
        users.append(
            User(
                username=username,
                email=email,
                first_name=p["first"],
                last_name=p["last"],
                password=demo_hash if "username" in p else unusable,
                is_active=p["left_on"] is None,
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    if any(u.pk is None for u in users):
        pks = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "pk"
            )
        )
        for u in users:
            u.pk = pks[u.username]

    # Employees level by level so every manager has a primary key before their reports are created.
    start = Employee.objects.filter(employee_id__startswith="D").count()
    for index, (p, user) in enumerate(zip(people, users, strict=True)):
        p["user"] = user
        p["employee_id"] = f"D{start + index + 1:05d}"
    level = [p for p in people if p["manager"] is None]
    created: list[Employee] = []
    while level:
        batch = []
        for p in level:
            loc = locations[p["location"]]
            e = Employee(
                user_id=p["user"].pk,
                employee_id=p["employee_id"],
                full_name=f"{p['first']} {p['last']}",
                email=p["email"],
                department=departments[p["dept"]],
                job_role=roles[p["title"]],
                manager_id=p["manager"]["employee"].pk if p["manager"] else None,
                location=loc,
                language=p["language"],
                timezone=loc.timezone,
                hire_date=p["hire_date"],
                is_active=p["left_on"] is None,
                left_on=p["left_on"],
            )
            p["employee"] = e
            batch.append(e)
        Employee.objects.bulk_create(batch, batch_size=500)
        if any(e.pk is None for e in batch):
            pks = dict(
                Employee.objects.filter(employee_id__in=[e.employee_id for e in batch]).values_list(
                    "employee_id", "pk"
                )
            )
            for e in batch:
                e.pk = pks[e.employee_id]
        for p in level:
            prefix = p["manager"]["employee"].manager_path if p["manager"] else "/"
            p["employee"].manager_path = f"{prefix}{p['employee'].pk}/"
        created.extend(batch)
        level = [r for p in level for r in p["reports"]]
    employees_bulk_update(created, ["manager_path"])

    # Role groups for the demo logins, and two learning groups.
    for p in people:
        group = _LOGIN_GROUPS.get(p.get("username", ""))
        if group:
            p["user"].groups.add(AuthGroup.objects.get_or_create(name=group)[0])
    active = [p["employee"] for p in people if p["left_on"] is None]
    champions, _ = Group.objects.get_or_create(
        name="AI champions",
        defaults={"description": "People who help their teams adopt AI tools well."},
    )
    champions.members.add(*rng.sample(active, 20))
    recent, _ = Group.objects.get_or_create(
        name="Joiners of the last 6 months", defaults={"description": "Onboarding cohort."}
    )
    recent.members.add(*[e for e in active if (today - e.hire_date).days <= 182])
    audit_log(actor=None, code="trellis.people.demo_built", data={"employees": len(created)})
    if stdout:
        stdout.write(
            f"    {len(created)} employees, {sum(1 for p in people if p['left_on'])} leavers\n"
        )
    return {**_summary(), "created": len(created)}


def _build_teams(manager: dict[str, Any], members: list[dict[str, Any]]) -> None:
    """Arrange ``members`` (most senior first) under ``manager`` in teams of 5-10: the most senior
    become team leads; with more than ten teams, a layer of managers of team leads is added."""
    if len(members) <= 10:
        for m in members:
            m["manager"] = manager
        return
    teams = math.ceil(len(members) / 9)
    if teams > 10:
        groups = math.ceil(teams / 8)
        heads, rest = members[:groups], members[groups:]
        for i, head in enumerate(heads):
            head["manager"], head["senior"] = manager, True
            _build_teams(head, rest[i::groups])
        return
    leads, rest = members[:teams], sorted(members[teams:], key=lambda p: p["title"])
    for lead in leads:
        lead["manager"], lead["senior"] = manager, True
    for i, m in enumerate(rest):
        m["manager"] = leads[i * teams // len(rest)]


def _occupations(roles: list[dict[str, Any]]) -> dict[str, Any]:
    """Taxonomy occupations by URI (ESCO URI or ``onet:<SOC>``), if the skills step loaded them."""
    from trellis.skills.models import Occupation

    uris = [r["esco_uri"] for r in roles if r.get("esco_uri")] + [
        f"onet:{r['onet_soc']}" for r in roles if r.get("onet_soc")
    ]
    return {o.uri: o for o in Occupation.objects.filter(uri__in=uris)}
