"""Ready-made surveys an L&D admin instantiates in one click: the AI-readiness pulse.

Its questions come from the survey article that started Trellis (../shared/context/seed-article.txt);
the keys are a public contract (``trellis.surveys.selectors`` and the insights app read them).
"""

from __future__ import annotations

from typing import Any

READINESS_TEMPLATE = "ai-readiness-pulse"

AGREE = [
    ["1", "Strongly disagree"],
    ["2", "Disagree"],
    ["3", "Neither agree nor disagree"],
    ["4", "Agree"],
    ["5", "Strongly agree"],
]
COMFORT = [
    ["1", "Very uncomfortable"],
    ["2", "Somewhat uncomfortable"],
    ["3", "Neutral"],
    ["4", "Somewhat comfortable"],
    ["5", "Very comfortable"],
]
YES_NO_NOT_SURE = [["yes", "Yes"], ["no", "No"], ["not_sure", "Not sure"]]
YES_NO = [["yes", "Yes"], ["no", "No"]]
WEEKLY_USE = [
    ["daily", "Daily"],
    ["weekly", "Weekly"],
    ["monthly", "Monthly"],
    ["rarely", "Rarely"],
    ["never", "Never"],
]
SELF_LEVEL = [["beginner", "Beginner"], ["intermediate", "Intermediate"], ["advanced", "Advanced"]]
OWNERSHIP = [
    ["very_clear", "Very clear"],
    ["mostly_clear", "Mostly clear"],
    ["somewhat_clear", "Somewhat clear"],
    ["mostly_unclear", "Mostly unclear"],
    ["completely_unclear", "Completely unclear"],
]
BENEFITS = [
    ["find_answers_faster", "Finding answers faster"],
    ["more_relevant_content", "Finding more relevant content"],
    ["personalised_paths", "Learning paths made for me"],
    ["practice_feedback", "Practice with feedback"],
    ["other", "Something else"],
]

#: (section title, [(key, kind, text, options, required), …])
READINESS_SECTIONS: list[tuple[str, list[tuple[str, str, str, list[list[str]], bool]]]] = [
    (
        "Using AI at work",
        [
            (
                "ai_comfort",
                "likert",
                "How comfortable do you feel using AI at work?",
                COMFORT,
                True,
            ),
            ("ai_weekly_use", "single", "How often do you use AI tools at work?", WEEKLY_USE, True),
            (
                "ai_tool_confidence",
                "likert",
                "I feel confident selecting the right AI tool for a task.",
                AGREE,
                True,
            ),
            (
                "ai_self_level",
                "single",
                "How would you rate your own AI skills?",
                SELF_LEVEL,
                True,
            ),
            (
                "ai_time_saving",
                "likert",
                "AI saves me time on routine tasks.",
                AGREE,
                True,
            ),
        ],
    ),
    (
        "Direction and ownership",
        [
            (
                "ai_strategy_communicated",
                "single",
                "Has leadership communicated an AI strategy?",
                YES_NO_NOT_SURE,
                True,
            ),
            (
                "ai_usage_expectations",
                "single",
                "Has your team established expectations for how to use AI?",
                YES_NO_NOT_SURE,
                True,
            ),
            (
                "ai_ownership_clarity",
                "single",
                "How clear is it who owns AI (strategy, tools, rules) in our organisation?",
                OWNERSHIP,
                True,
            ),
        ],
    ),
    (
        "AI in your learning",
        [
            (
                "ai_tailoring_comfort",
                "likert",
                "I am comfortable with AI tailoring my learning path.",
                AGREE,
                True,
            ),
            (
                "ai_benefits",
                "multiple",
                "Where does AI help your learning most? (choose all that apply)",
                BENEFITS,
                False,
            ),
            (
                "want_more_control",
                "single",
                "Would you like more control over how your learning is personalised?",
                YES_NO,
                True,
            ),
            (
                "want_more_human",
                "single",
                "Would you like more human interaction (mentoring, feedback) in your learning?",
                YES_NO,
                True,
            ),
            (
                "ai_support_needed",
                "text",
                "What support would help you use AI better in your work?",
                [],
                False,
            ),
        ],
    ),
]

READINESS_KEYS: list[str] = [q[0] for _, questions in READINESS_SECTIONS for q in questions]

TEMPLATES: dict[str, dict[str, Any]] = {
    READINESS_TEMPLATE: {
        "title": "AI-readiness pulse",
        "intro": "Ten minutes about how you use AI at work and in your learning. Your answers are "
        "anonymous: nobody sees them with your name, and no result is shown for fewer than "
        "{threshold} people.",
        "sections": READINESS_SECTIONS,
        "repeat_months": 3,
    }
}
