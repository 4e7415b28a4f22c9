"""The AI-literacy skill family: its five-rung ladder and its eight skills (source "trellis").

The URIs below are stable: the catalog tags learning items with them and the demo rates them.
``ai_literacy_ensure`` (in ``services``) creates or updates them; it is called by the demo step
``load_ai_literacy`` and at the end of every ESCO import, so a fresh install that imports ESCO has them.
"""

from __future__ import annotations

FAMILY_SLUG = "ai-literacy"
FAMILY_NAME = "AI literacy"
FAMILY_DESCRIPTION = (
    "Understanding, using and judging AI tools safely and well at work: from knowing what AI is "
    "to building with models, APIs and agents."
)

LEVEL_NAMES: list[str] = ["Aware", "Exploring", "Practitioner", "Proficient", "Advanced"]
LEVEL_DESCRIPTIONS: list[str] = [
    "Knows what generative AI is, what it can and cannot do, and the company's rules for using it.",
    "Tries AI assistants on simple everyday tasks and checks the results with help.",
    "Uses AI tools regularly in their own work, writes effective prompts and verifies output independently.",
    "Redesigns their team's workflows around AI, chooses the right tools and coaches colleagues.",
    "Builds AI-powered solutions (models, APIs, agents), sets standards and leads responsible adoption.",
]

#: (uri, label, description) of the family's skills, in ladder-teaching order.
SKILLS: list[tuple[str, str, str]] = [
    (
        "trellis:ai-literacy:foundations",
        "AI foundations",
        "Explain in plain words how machine learning and large language models work, what they are good at and where they fail.",
    ),
    (
        "trellis:ai-literacy:prompting",
        "Prompting and working with AI assistants",
        "Give AI assistants clear instructions, context and examples, and iterate on the answers to get useful results.",
    ),
    (
        "trellis:ai-literacy:evaluating-output",
        "Evaluating AI output",
        "Check AI output for factual errors, invented sources, bias and gaps before relying on it or sharing it.",
    ),
    (
        "trellis:ai-literacy:responsible-use",
        "Responsible and ethical AI use",
        "Use AI within the law and company policy: protect personal and confidential data, disclose AI use and respect intellectual property.",
    ),
    (
        "trellis:ai-literacy:tool-selection",
        "Choosing the right AI tool",
        "Compare AI tools and approved services for a task by quality, cost, data handling and fit, and pick the right one.",
    ),
    (
        "trellis:ai-literacy:workflow-automation",
        "Automating work with AI",
        "Find repetitive steps in a process and automate them with AI features, assistants and no-code integrations.",
    ),
    (
        "trellis:ai-literacy:data-for-ai",
        "Data literacy for AI",
        "Understand the data AI systems learn from and use: its quality, provenance, privacy and how it shapes results.",
    ),
    (
        "trellis:ai-literacy:building-with-ai",
        "Building with AI (models, APIs, agents)",
        "Build and evaluate applications that call AI models through APIs, retrieval and agents, and run them reliably.",
    ),
]

SKILL_URIS: list[str] = [uri for uri, _, _ in SKILLS]

#: AI-literacy target level of a role profile, by job family (Technology & Data expects most).
FAMILY_TARGETS: dict[str, int] = {
    "Technology & Data": 4,
    "Leadership": 3,
    "Learning & Development": 3,
    "Marketing": 3,
    "People & HR": 3,
}
DEFAULT_TARGET = 2
#: Skills a role needs at the full family target; the others get one level less (never below 1).
CORE_SKILLS = {
    "trellis:ai-literacy:foundations",
    "trellis:ai-literacy:prompting",
    "trellis:ai-literacy:evaluating-output",
    "trellis:ai-literacy:responsible-use",
}
#: Skills only technology roles get in their profile.
TECH_ONLY_SKILLS = {"trellis:ai-literacy:building-with-ai", "trellis:ai-literacy:data-for-ai"}


def ai_targets_for(job_family: str) -> dict[str, int]:
    """The AI-literacy lines (uri -> target level) a role of ``job_family`` should have."""
    base = FAMILY_TARGETS.get(job_family, DEFAULT_TARGET)
    is_tech = job_family == "Technology & Data"
    targets: dict[str, int] = {}
    for uri in SKILL_URIS:
        if uri in TECH_ONLY_SKILLS and not is_tech:
            continue
        targets[uri] = base if uri in CORE_SKILLS or is_tech else max(1, base - 1)
    return targets
