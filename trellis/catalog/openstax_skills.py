"""Which skills each OpenStax book teaches, and at what level it is written.

A curated mapping, written by hand (tags get origin "manual"): for each of the 19 books, 3-6 ESCO
skills (looked up by preferred label in ESCO v1.1.1 ``skills_en.csv``) with a weight in 0-1 that
says how central the skill is to the book (1.0 = the book is about this skill; 0.3 = a recurring
side topic). Every section of a book gets its book's tags; finer, per-section tagging is the job of
the enrichment step, not of this table.

Levels: a book written for a first course with no prerequisites ("Introduction to …",
"Introductory …", study-skills and workplace-software books, the general-education maths and
psychology/sociology surveys) is level 2 (beginner): it assumes nothing. The "Principles of …"
books, Organizational Behavior, Business Ethics and Entrepreneurship are level 3 (intermediate):
they are second-year business courses that assume the vocabulary of an introductory course and ask
the reader to apply and analyse, not only to recognise.
"""

from __future__ import annotations

from typing import TypedDict

ESCO = "http://data.europa.eu/esco/skill/"

# ESCO skills used below, by preferred label (so a reviewer can check each URI).
PYTHON = ESCO + "ccd0a1d9-afda-43d9-b901-96344886e14d"  # Python (computer programming)
COMPUTER_PROGRAMMING = ESCO + "21d2f96d-35f7-4e3f-9745-c533d2dd6e97"  # computer programming
ALGORITHMS = ESCO + "54924a2c-daca-40d3-9716-4b38ceb04f38"  # algorithms
TASK_ALGORITHMISATION = ESCO + "7482a123-e801-48de-9733-262125671410"  # task algorithmisation
SPREADSHEETS = ESCO + "1973c966-f236-40c9-b2d4-5d71a89019be"  # use spreadsheets software
WORD_PROCESSING = ESCO + "81633a44-f1db-4a01-a940-804c6905e330"  # use word processing software
PRESENTATION = ESCO + "234aeb8d-56c3-4531-9193-1c5e6a8d16cb"  # use presentation software
MICROSOFT_OFFICE = ESCO + "f683ae1d-cb7c-4aa1-b9fe-205e1bd23535"  # use microsoft office
ONLINE_COLLABORATION = (
    ESCO + "580660a6-5d3a-421d-a54f-d85b706c2b2f"
)  # use online tools to collaborate
STATISTICS = ESCO + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"  # statistics
STATISTICAL_TECHNIQUES = (
    ESCO + "382c11ed-20d5-4ae7-b60e-15fec527fa6c"
)  # apply statistical analysis techniques
DATA_ANALYSIS = ESCO + "2b92a5b2-6758-4ee3-9fb4-b6387a55cc8f"  # perform data analysis
MATHEMATICS = ESCO + "4339176e-3acd-4f7f-a5d9-445bee3d23f2"  # mathematics
BUSINESS_ANALYSIS = ESCO + "633a3637-2c6b-40ae-ac38-289eb2a62aa6"  # business analysis
MANAGE_STAFF = ESCO + "339ac029-066a-4985-9f9d-b3d7c8fea0bb"  # manage staff
BUSINESS_MANAGEMENT = (
    ESCO + "0a48d064-dd04-47fb-a00d-85e9b4874033"
)  # business management principles
LEADERSHIP_PRINCIPLES = ESCO + "d5145a9a-602e-40bf-b3e1-f04cf9c3ef86"  # leadership principles
MAKE_DECISIONS = ESCO + "d62d2b4c-a6f8-439e-8a1b-4f29ab5f2c47"  # make decisions
CHANGE_MANAGEMENT = ESCO + "3c03ee71-4a23-448f-b79e-81fd75d27dca"  # apply change management
MOTIVATE_EMPLOYEES = ESCO + "22c2af9e-ba0d-4cee-abb6-b6dbef006cd5"  # motivate employees
LEAD_OTHERS = ESCO + "75d8e5d9-bef3-418b-9011-01bff9f27207"  # lead others
TEAM_SPIRIT = ESCO + "b19e0820-a96f-4c0a-a724-3c056180c1b3"  # build team spirit
RESOLVE_CONFLICTS = ESCO + "96de2e86-e287-41f2-88ab-15a2343afc6f"  # resolve conflicts
WORK_IN_TEAMS = ESCO + "60c78287-22eb-4103-9c8c-28deaa460da0"  # work in teams
HR_MANAGEMENT = ESCO + "e437eba1-3e22-41f2-8703-741e94785cba"  # human resource management
BUSINESS_KNOWLEDGE = ESCO + "fcb2b5f4-3a64-42f2-987a-073bea986104"  # business knowledge
MARKETING_PRINCIPLES = ESCO + "de03f4fd-c147-4477-a048-7109e5ba2d6f"  # marketing principles
MARKETING_MIX = ESCO + "d3e585e9-3a73-4511-b533-90f095e5aa09"  # marketing mix
MARKET_RESEARCH = ESCO + "8770350e-746f-4adb-9556-18ca68104be6"  # market research
SOCIAL_MEDIA_MARKETING = (
    ESCO + "509909a2-4a8f-4ead-8ad0-968df63b77cc"
)  # social media marketing techniques
SALES_STRATEGIES = ESCO + "e7219848-a27a-4bf4-8775-d367707be7c9"  # sales strategies
FINANCIAL_MANAGEMENT = ESCO + "52e53619-fa77-4f72-b237-5e4aae784dc2"  # financial management
FINANCIAL_ANALYSIS = ESCO + "99571e68-801f-49af-a897-5f75996642e1"  # financial analysis
FINANCIAL_STATEMENTS = ESCO + "4a460161-eaea-4fe2-bd0e-164ccc635be1"  # financial statements
BUDGETARY_PRINCIPLES = ESCO + "74688c5d-2af1-4f7a-9d1c-00e808eaa1e6"  # budgetary principles
RISK_MANAGEMENT = ESCO + "6eff134b-e34f-4d6e-a6e8-5e47cf2228d0"  # risk management
ECONOMICS = ESCO + "88af9294-b697-4687-ae19-aefbb6234dfa"  # economics
THINK_ANALYTICALLY = ESCO + "4707da90-9cfc-46ca-8de0-38a0b7bfb137"  # think analytically
BUSINESS_ETHICS_CODE = (
    ESCO + "6bc02a4a-66af-4b49-9bd3-d07695d52b42"
)  # abide by business ethical code of conducts
ETHICS = ESCO + "cef5c0f8-1e40-4c09-b6a7-aa7811849e5d"  # ethics
CSR = ESCO + "66db424f-2abe-420d-8e5b-186607266b61"  # corporate social responsibility
LEGAL_REGULATIONS = ESCO + "3d3ee5c3-4286-457f-9f76-1704011f7e11"  # comply with legal regulations
ENTREPRENEURSHIP = ESCO + "658605f2-1c95-49f0-bd98-0af7b15ad0b0"  # entrepreneurship
CREATIVE_IDEAS = ESCO + "8c4c49d4-9708-433f-8ca7-bf2c5211ee49"  # develop creative ideas
IP_LAW = ESCO + "2ad081e6-0a3f-4612-ac15-7ace75d39e26"  # intellectual property law
IP_RIGHTS = ESCO + "518dc04d-092d-4fa1-bd82-88b7a9278ef7"  # manage intellectual property rights
PSYCHOLOGY = ESCO + "bfe4f330-d595-48c7-ab3c-f309471d6953"  # psychology
HUMAN_BEHAVIOUR = (
    ESCO + "a0e23745-6ba4-45e2-9510-df6e71ed1230"
)  # apply knowledge of human behaviour
SHOW_EMPATHY = ESCO + "77b636e8-fab3-41a8-8022-1e0a354059dc"  # show empathy
TOLERATE_STRESS = ESCO + "d15f8745-28f8-4abf-a7b6-6cb8a304efd2"  # tolerate stress
WRITING_TECHNIQUES = ESCO + "91dd8397-063d-499c-83b9-0603a10d94ac"  # writing techniques
GRAMMAR = ESCO + "d4ae9564-0b61-4aa0-9df0-d4fdc969fd6f"  # grammar
COPYWRITING = ESCO + "ce592b28-4467-4908-b2e6-64bbe18da631"  # perform copywriting
EVALUATE_SOURCES = (
    ESCO + "db33c0f3-43ee-4ba3-ba47-9269ac837697"
)  # critically evaluate information and its sources
COMMUNICATION = ESCO + "15d76317-c71a-4fa2-aadc-2ecc34e627b7"  # communication
MANAGE_TIME = ESCO + "d9013e0e-e937-43d5-ab71-0e917ee882b8"  # manage time
PROFESSIONAL_DEVELOPMENT = (
    ESCO + "a8d24a95-47b3-4f88-92e7-06600bcd3612"
)  # manage personal professional development
STUDY_TOPICS = ESCO + "54f78038-58a8-46cb-9633-41ade03c07b7"  # study topics
THINK_CRITICALLY = ESCO + "7dd94ad3-13d6-43fe-8b94-51fcbf67ced9"  # think critically
SELF_REFLECTION = ESCO + "409a0245-0e6c-4aac-ba16-0920ecb76a8d"  # exercise self-reflection
PERSONAL_DEVELOPMENT = ESCO + "519e801b-3cc4-44d4-bcf1-32fdb9a77e51"  # personal development
ADAPT_TO_CHANGE = ESCO + "49de9958-2aa4-4eef-a89d-fe5d5bcd28c4"  # adapt to change
SOCIOLOGY = ESCO + "8881a9c2-bd07-4954-bf27-c1f8acca9af0"  # sociology
CULTURAL_DIVERSITY = (
    ESCO + "5ca953f7-541d-4f67-bc55-7721348366cf"
)  # respect the diversity of cultural values and norms
INTERCULTURAL_AWARENESS = (
    ESCO + "7d23c508-c007-4221-bb84-0c9a479b8ea6"
)  # show intercultural awareness
PROMOTE_INCLUSION = ESCO + "bcd2ce08-ba12-4d66-865f-f4ba36419707"  # promote inclusion
FINANCIAL_CAPABILITY = ESCO + "811bdb9d-5bf7-4b5a-a3f5-4fc2002f6d57"  # financial capability


class BookProfile(TypedDict):
    level: int
    skills: list[tuple[str, float]]
    why: str


BOOKS: dict[str, BookProfile] = {
    "introduction-python-programming": {
        "level": 2,
        "skills": [
            (PYTHON, 1.0),
            (COMPUTER_PROGRAMMING, 0.8),
            (ALGORITHMS, 0.5),
            (TASK_ALGORITHMISATION, 0.4),
        ],
        "why": "A first programming course in Python: syntax, control flow, functions, data structures.",
    },
    "workplace-software-skills": {
        "level": 2,
        "skills": [
            (SPREADSHEETS, 0.9),
            (WORD_PROCESSING, 0.9),
            (PRESENTATION, 0.8),
            (MICROSOFT_OFFICE, 0.7),
            (ONLINE_COLLABORATION, 0.5),
        ],
        "why": "Documents, spreadsheets, presentations and collaboration tools, in Microsoft 365 and Google Workspace.",
    },
    "introductory-statistics-2e": {
        "level": 2,
        "skills": [
            (STATISTICS, 1.0),
            (STATISTICAL_TECHNIQUES, 0.8),
            (DATA_ANALYSIS, 0.6),
            (MATHEMATICS, 0.3),
        ],
        "why": "Descriptive statistics, probability, distributions, hypothesis tests, regression.",
    },
    "introductory-business-statistics-2e": {
        "level": 2,
        "skills": [
            (STATISTICS, 1.0),
            (STATISTICAL_TECHNIQUES, 0.8),
            (DATA_ANALYSIS, 0.7),
            (BUSINESS_ANALYSIS, 0.4),
        ],
        "why": "The same statistics with business examples and decisions.",
    },
    "principles-management": {
        "level": 3,
        "skills": [
            (BUSINESS_MANAGEMENT, 1.0),
            (MANAGE_STAFF, 0.9),
            (LEADERSHIP_PRINCIPLES, 0.7),
            (MAKE_DECISIONS, 0.5),
            (CHANGE_MANAGEMENT, 0.4),
        ],
        "why": "Planning, organising, leading and controlling; managing people, decisions and change.",
    },
    "organizational-behavior": {
        "level": 3,
        "skills": [
            (MOTIVATE_EMPLOYEES, 0.8),
            (LEAD_OTHERS, 0.7),
            (TEAM_SPIRIT, 0.6),
            (RESOLVE_CONFLICTS, 0.5),
            (WORK_IN_TEAMS, 0.5),
            (HR_MANAGEMENT, 0.4),
        ],
        "why": "Motivation, groups and teams, leadership, conflict and negotiation, HR practices.",
    },
    "introduction-business": {
        "level": 2,
        "skills": [
            (BUSINESS_KNOWLEDGE, 1.0),
            (BUSINESS_MANAGEMENT, 0.6),
            (MARKETING_PRINCIPLES, 0.4),
            (FINANCIAL_MANAGEMENT, 0.3),
            (ENTREPRENEURSHIP, 0.3),
        ],
        "why": "A survey of how businesses work: economics, ownership, management, marketing, finance.",
    },
    "business-ethics": {
        "level": 3,
        "skills": [
            (BUSINESS_ETHICS_CODE, 1.0),
            (ETHICS, 0.8),
            (CSR, 0.8),
            (LEGAL_REGULATIONS, 0.4),
        ],
        "why": "Ethical reasoning at work, corporate responsibility, stakeholders and compliance.",
    },
    "entrepreneurship": {
        "level": 3,
        "skills": [
            (ENTREPRENEURSHIP, 1.0),
            (CREATIVE_IDEAS, 0.6),
            (BUSINESS_KNOWLEDGE, 0.5),
            (MARKET_RESEARCH, 0.4),
            (FINANCIAL_MANAGEMENT, 0.3),
        ],
        "why": "Finding and testing opportunities, business models, funding and launching a venture.",
    },
    "principles-marketing": {
        "level": 3,
        "skills": [
            (MARKETING_PRINCIPLES, 1.0),
            (MARKETING_MIX, 0.8),
            (MARKET_RESEARCH, 0.7),
            (SOCIAL_MEDIA_MARKETING, 0.5),
            (SALES_STRATEGIES, 0.4),
        ],
        "why": "Segmentation, the marketing mix, research, digital and social media marketing, selling.",
    },
    "principles-finance": {
        "level": 3,
        "skills": [
            (FINANCIAL_MANAGEMENT, 1.0),
            (FINANCIAL_ANALYSIS, 0.8),
            (FINANCIAL_STATEMENTS, 0.7),
            (BUDGETARY_PRINCIPLES, 0.5),
            (RISK_MANAGEMENT, 0.5),
        ],
        "why": "Time value of money, statements and ratios, budgeting, risk and return.",
    },
    "principles-economics-3e": {
        "level": 3,
        "skills": [(ECONOMICS, 1.0), (THINK_ANALYTICALLY, 0.4), (BUSINESS_KNOWLEDGE, 0.3)],
        "why": "Micro- and macroeconomics: markets, firms, labour, money, trade.",
    },
    "introduction-intellectual-property": {
        "level": 2,
        "skills": [(IP_LAW, 1.0), (IP_RIGHTS, 0.8), (LEGAL_REGULATIONS, 0.3)],
        "why": "Patents, trademarks, copyright and trade secrets, and how companies protect them.",
    },
    "psychology-2e": {
        "level": 2,
        "skills": [
            (PSYCHOLOGY, 1.0),
            (HUMAN_BEHAVIOUR, 0.7),
            (SHOW_EMPATHY, 0.3),
            (TOLERATE_STRESS, 0.3),
        ],
        "why": "A survey of psychology: learning, memory, motivation, stress, social and industrial psychology.",
    },
    "writing-guide": {
        "level": 2,
        "skills": [
            (WRITING_TECHNIQUES, 1.0),
            (GRAMMAR, 0.7),
            (EVALUATE_SOURCES, 0.5),
            (COMMUNICATION, 0.5),
            (COPYWRITING, 0.4),
        ],
        "why": "Writing for purposes and audiences, research and sources, and a grammar handbook.",
    },
    "college-success": {
        "level": 2,
        "skills": [
            (MANAGE_TIME, 0.7),
            (PROFESSIONAL_DEVELOPMENT, 0.7),
            (STUDY_TOPICS, 0.6),
            (THINK_CRITICALLY, 0.5),
            (SELF_REFLECTION, 0.4),
        ],
        "why": "How to learn: time management, studying, critical thinking, planning a career.",
    },
    "preparing-for-college-success": {
        "level": 2,
        "skills": [
            (MANAGE_TIME, 0.7),
            (STUDY_TOPICS, 0.7),
            (PERSONAL_DEVELOPMENT, 0.6),
            (ADAPT_TO_CHANGE, 0.4),
        ],
        "why": "Learning habits and self-management for people returning to study.",
    },
    "introduction-sociology-3e": {
        "level": 2,
        "skills": [
            (SOCIOLOGY, 1.0),
            (CULTURAL_DIVERSITY, 0.6),
            (INTERCULTURAL_AWARENESS, 0.5),
            (PROMOTE_INCLUSION, 0.4),
        ],
        "why": "Society, culture, groups and organisations, inequality, race, gender.",
    },
    "contemporary-mathematics": {
        "level": 2,
        "skills": [
            (MATHEMATICS, 1.0),
            (THINK_ANALYTICALLY, 0.6),
            (FINANCIAL_CAPABILITY, 0.4),
            (STATISTICS, 0.4),
        ],
        "why": "Quantitative reasoning for everyday and work use: logic, money management, probability, statistics.",
    },
}

#: Level for a book not in ``BOOKS`` (a new book in a later export): intermediate.
DEFAULT_LEVEL = 3


def book_level(slug: str, title: str = "") -> int:
    profile = BOOKS.get(slug)
    if profile is not None:
        return profile["level"]
    return 2 if title.startswith(("Introduction", "Introductory")) else DEFAULT_LEVEL


def book_skills(slug: str) -> list[tuple[str, float]]:
    profile = BOOKS.get(slug)
    return list(profile["skills"]) if profile is not None else []


def all_skill_uris() -> set[str]:
    return {uri for profile in BOOKS.values() for uri, _ in profile["skills"]}
