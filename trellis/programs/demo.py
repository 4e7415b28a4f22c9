"""Demo programs like those the survey article describes, with enrollments and progress.

- "AI fluency for everyone": CEO sponsor, every employee, 90 days, started 45 days ago; the plan
  expects 25 % by day 30, 60 % by day 60, 100 % by day 90. Technology & Data is ahead of plan,
  Customer Service and Operations far behind (as in the article: service roles are the most cautious).
- "Responsible AI usage policy": a compliance acknowledgement, due on a fixed date 10 days ahead.
- "Data privacy essentials": compliance, yearly recertification, 30 days after enrollment (started
  40 days ago: whoever has not passed is overdue; operations and customer service lag).
- "AI in sales": the Sales department, 60 days, an elective group (any 1 of 2).

Progress is recorded as xAPI statements through the LRS (``statements_store``) and the enrollments
follow from the records, like in production. Two steps (``trellis.core.demo``):

1. ``build_programs`` (before the LRS step): the programs, their activation (enrollments, "program
   launched" notices) and the learners' statements, stored without projecting them;
2. ``build_completion`` (after the LRS step, whose one bulk rebuild ``reproject_all`` projected
   these statements with its own): completion from the records (``enrollments_recompute``). If the
   statements were stored after the LRS step had run (an older demo folder), it projects them first.

Fixed seed; idempotent (skips what is there).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from trellis.programs import services
from trellis.programs.completion import enrollments_recompute
from trellis.programs.models import Enrollment, Program

SEED = 20260301
#: probability that a person has completed by today, by top-level department code (else DEFAULT)
AI_FLUENCY_RATE = {
    "technology-data": 0.72,
    "people": 0.55,
    "marketing": 0.5,
    "legal": 0.45,
    "finance": 0.4,
    "executive": 0.6,
    "sales": 0.33,
    "operations": 0.16,
    "customer-service": 0.07,
}
DEFAULT_RATE = 0.4
DEMO_AUTHORITY = {
    "objectType": "Agent",
    "name": "Demo learning tools",
    "account": {"homePage": "https://trellis.example", "name": "demo-programs"},
}


def _top_department(employee: Any, by_pk: dict[int, Any]) -> str:
    if employee.department_id is None:
        return ""
    dept = by_pk[employee.department_id]
    top = int(dept.path.strip("/").split("/")[0])
    return by_pk[top].code


def build_programs(
    *, stdout: TextIO | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    from trellis.catalog.models import Item
    from trellis.lrs.events import COMPLETED, XAPI_VERSION, build_statement, employee_agent
    from trellis.lrs.statements import statements_store
    from trellis.people.models import Department, Employee

    if Program.objects.filter(name="AI fluency for everyone").exists():
        return {"skipped": True}
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(SEED)
    lena = Employee.objects.select_related("user").filter(user__username="lena").first()
    ceo = Employee.objects.filter(user__username="daniel").first()
    actor = lena.user if lena else None
    departments = {d.pk: d for d in Department.objects.all()}
    sales = next((d for d in departments.values() if d.code == "sales"), None)
    ai_items = list(
        Item.objects.filter(skill_links__skill__family__slug="ai-literacy", is_published=True)
        .distinct()
        .order_by("duration_minutes", "pk")[:6]
    )
    other = list(
        Item.objects.filter(is_published=True)
        .exclude(pk__in=[i.pk for i in ai_items])
        .exclude(skill_links__skill__family__slug="ai-literacy")
        .order_by("collection", "pk")[:3]
    )
    if len(ai_items) < 5 or not other:
        return {"skipped": "the catalog demo items are missing"}
    services.mandate_budget_set(actor=actor, job_role=None, hours_per_quarter=12)

    def activate(program: Program, days_ago: int) -> None:
        services.program_activate(
            actor=actor,
            program=program,
            confirm_over_budget=True,
            now=now - dt.timedelta(days=days_ago),
        )

    fluency = services.program_create(
        actor=actor,
        name="AI fluency for everyone",
        objective="Every employee understands what generative AI can and cannot do, uses it "
        "safely in their own work, and knows our AI strategy.",
        category=Program.Category.ENTERPRISE_SKILL,
        sponsor=ceo,
        owner=lena,
        planned_hours=3,
        pace_points=[[30, 25], [60, 60], [90, 100]],
        due_policy=Program.DuePolicy.RELATIVE,
        due_days=90,
        starts_on=today - dt.timedelta(days=45),
    )
    services.audience_set(actor=actor, program=fluency, rules=[{}])
    for item in ai_items[:2]:
        services.requirement_add(actor=actor, program=fluency, item=item)
    electives = services.requirement_group_add(
        actor=actor, program=fluency, name="Pick one in practice", required_count=1
    )
    for item in ai_items[2:4]:
        services.requirement_add(actor=actor, program=fluency, item=item, group=electives)
    activate(fluency, 45)

    policy_program = services.program_create(
        actor=actor,
        name="Responsible AI usage policy",
        objective="Read and acknowledge how we use AI tools: what data may go in, who owns the "
        "output, and how to report a problem.",
        category=Program.Category.COMPLIANCE,
        sponsor=ceo,
        owner=lena,
        planned_hours=Decimal("0.2"),
        due_policy=Program.DuePolicy.FIXED,
        due_date=today + dt.timedelta(days=10),
        due_days=None,
        starts_on=today - dt.timedelta(days=20),
    )
    services.audience_set(actor=actor, program=policy_program, rules=[{}])
    policy = services.requirement_add(
        actor=actor,
        program=policy_program,
        title="Responsible AI usage policy (v1)",
        body="1. Never paste customer or personal data into a public AI tool.\n"
        "2. You own what you ship: check AI output before you use it.\n"
        "3. Say when content was drafted with AI.\n"
        "4. Report problems to the AI governance team.",
    )
    activate(policy_program, 20)

    privacy = services.program_create(
        actor=actor,
        name="Data privacy essentials",
        objective="Yearly recertification on personal data, retention and breaches.",
        category=Program.Category.COMPLIANCE,
        sponsor=ceo,
        owner=lena,
        planned_hours=1,
        due_policy=Program.DuePolicy.RELATIVE,
        due_days=30,
        recurrence_months=12,
        renewal_window_days=30,
        starts_on=today - dt.timedelta(days=40),
    )
    services.audience_set(actor=actor, program=privacy, rules=[{}])
    services.requirement_add(actor=actor, program=privacy, item=other[0], min_score=0.8)
    activate(privacy, 40)

    sales_program = services.program_create(
        actor=actor,
        name="AI in sales",
        objective="Sellers use AI for account research and call preparation, responsibly.",
        category=Program.Category.ENTERPRISE_SKILL,
        sponsor=ceo,
        owner=lena,
        planned_hours=2,
        pace_points=[[20, 30], [40, 70], [60, 100]],
        due_policy=Program.DuePolicy.RELATIVE,
        due_days=60,
        starts_on=today - dt.timedelta(days=30),
    )
    services.audience_set(
        actor=actor, program=sales_program, rules=[{"departments": [sales]}] if sales else [{}]
    )
    services.requirement_add(actor=actor, program=sales_program, item=ai_items[4])
    sales_electives = services.requirement_group_add(
        actor=actor, program=sales_program, name="Practice", required_count=1
    )
    for item in [ai_items[5] if len(ai_items) > 5 else other[1], other[2]]:
        services.requirement_add(
            actor=actor, program=sales_program, item=item, group=sales_electives
        )
    activate(sales_program, 30)

    # Learning records: statements as the learning tools (and Trellis) would have sent them.
    people = list(
        Employee.objects.filter(is_active=True).only(
            "pk", "full_name", "email", "department_id", "manager_id"
        )
    )
    statements: list[dict[str, Any]] = []

    def done(employee: Any, item: Any, days_ago: float, score: float | None = None) -> None:
        when = now - dt.timedelta(days=days_ago, minutes=rng.randint(0, 600))
        result: dict[str, Any] = {
            "completion": True,
            "duration": f"PT{item.duration_minutes or 10}M",
        }
        verb = COMPLETED
        if score is not None:
            result["score"] = {"scaled": score}
            result["success"] = score >= 0.8
            verb = (
                ("http://adlnet.gov/expapi/verbs/passed", "passed")
                if score >= 0.8
                else (
                    "http://adlnet.gov/expapi/verbs/failed",
                    "failed",
                )
            )
        statements.append(
            build_statement(employee=employee, item=item, verb=verb, result=result, timestamp=when)
        )

    # the busiest teams (by manager) deviate together: some teams lead, some lag
    team_factor: dict[int | None, float] = {}
    for person in people:
        top = _top_department(person, departments)
        rate = AI_FLUENCY_RATE.get(top, DEFAULT_RATE)
        factor = team_factor.setdefault(person.manager_id, rng.uniform(0.6, 1.3))
        # AI fluency: 45 days in
        if rng.random() < min(0.98, rate * factor):
            first, second = rng.uniform(2, 44), rng.uniform(1, 40)
            done(person, ai_items[0], max(first, second))
            done(person, ai_items[1], min(first, second))
            done(person, rng.choice(ai_items[2:4]), rng.uniform(0.5, min(first, second)))
        elif rng.random() < 0.4:  # started: one of the two
            done(person, ai_items[0], rng.uniform(1, 44))
        # the policy: acknowledgements come in fast, then slow down
        if rng.random() < (0.78 if top != "customer-service" else 0.4):
            statements.append(
                {
                    "actor": employee_agent(person),
                    "verb": {"id": services.ACKNOWLEDGED[0], "display": {"en-US": "acknowledged"}},
                    "object": {
                        "objectType": "Activity",
                        "id": policy.activity_id,
                        "definition": {"name": {"en": policy.title}},
                    },
                    "result": {"completion": True},
                    "timestamp": (now - dt.timedelta(days=rng.uniform(0.5, 19)))
                    .isoformat()
                    .replace("+00:00", "Z"),
                }
            )
        # privacy: most take it (operations and customer service lag), some fail the quiz (score
        # below 80 %); it was due 10 days ago, so the rest are overdue
        if rng.random() < (0.6 if top in ("operations", "customer-service") else 0.95):
            done(
                person, other[0], rng.uniform(1, 38), score=rng.choice([0.7, 0.85, 0.9, 0.95, 1.0])
            )
        if sales and top == "sales" and rng.random() < 0.45:
            done(person, ai_items[4], rng.uniform(1, 28))
            if rng.random() < 0.7:
                done(person, other[2], rng.uniform(0.5, 20))
    # Stored without projecting them: the LRS step's rebuild (or ``build_completion``) does it.
    stored = 0
    for start in range(0, len(statements), 5000):
        stored += len(
            statements_store(
                statements[start : start + 5000],
                version=XAPI_VERSION,
                authority=DEMO_AUTHORITY,
                project=False,
            )
        )
    summary = {
        "programs": 4,
        "enrollments": sum(p.enrollments.count() for p in Program.objects.all()),
        "statements": stored,
    }
    if stdout:
        stdout.write(f"    {summary}\n")
    return summary


def build_completion(*, stdout: TextIO | None = None) -> dict[str, Any]:
    """Completion of the demo programs from the learning records. Projects the programs' demo
    statements first if nothing has (no progress row of the demo policy yet)."""
    from trellis.lrs.models import Progress, Statement
    from trellis.lrs.projection import project_statements
    from trellis.lrs.xapi.agents import agent_ifi

    program = Program.objects.filter(name="Responsible AI usage policy").first()
    if program is None:
        return {"skipped": "no demo programs"}
    policy = program.requirements.first()
    projected = 0
    if policy is not None and not Progress.objects.filter(activity_id=policy.activity_id).exists():
        pks = list(
            Statement.objects.filter(authority_ifi=agent_ifi(DEMO_AUTHORITY)).values_list(
                "pk", flat=True
            )
        )
        projected = project_statements(pks)["statements"] if pks else 0
    recomputed = enrollments_recompute()
    summary = {
        "projected": projected,
        "enrollments": recomputed["enrollments"],
        "completed": Enrollment.objects.filter(completed_at__isnull=False).count(),
    }
    if stdout:
        stdout.write(f"    {summary}\n")
    return summary
