"""Every page with three personas at least: L&D (everything), the manager (only their line, with its
exact numbers), a learner (403); executives read everything, auditors get 403."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

PAGES = ["home", "planned", "learning", "skills", "readiness", "content", "personalization"]


@pytest.mark.parametrize("page", PAGES)
def test_learners_and_auditors_get_403(refreshed, page):
    p = refreshed.personas
    for who in ("alice", "audrey"):
        assert p.client(who).get(reverse(f"insights:{page}")).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_ld_executive_and_manager_open_every_page(refreshed, surveys, page):
    p = refreshed.personas
    for who in ("lena", "erin", "maria"):
        r = p.client(who).get(reverse(f"insights:{page}"))
        assert r.status_code == 200, (who, page)
        assert (
            b"<h1>" in r.content and b"Your reporting line" in r.content if who == "maria" else True
        )


def _csv(client, url, table, **params):
    r = client.get(url, {**params, "export": "csv", "table": table})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.content.decode())))


def test_planned_vs_actual_org_and_line(refreshed):
    p = refreshed.personas
    url = reverse("insights:planned")
    org = _csv(p.client("lena"), url, "programs")
    assert org == [
        {
            "Program": "AI fluency",
            "Enrolled": "8",
            "Completed": "2",
            "Planned by today (%)": "50.0",
            "Actual (%)": "25.0",
            "Gap (points)": "-25.0",
            "Planned effort": "8.0",
            "Actual effort": "1.2",
            "Effort gap": "-6.8",
            "Significant gap": "yes",
        }
    ]
    line = _csv(p.client("maria"), url, "programs")
    assert [(r["Enrolled"], r["Completed"], r["Actual (%)"], r["Gap (points)"]) for r in line] == [
        ("2", "1", "50.0", "0.0")
    ]
    assert line[0]["Actual effort"] == "0.5"  # alice's 30 minutes on the required item
    assert line[0]["Significant gap"] == "no"
    seg = _csv(p.client("maria"), url, "segments", segment="department")
    assert [r["Department"] for r in seg] == ["Technology & Data"]
    learners = _csv(p.client("maria"), url, "learners")
    assert [r["Learner"] for r in learners] == ["Bob Peer"]
    org_learners = {r["Learner"] for r in _csv(p.client("lena"), url, "learners")}
    assert "Charlie Outsider" not in org_learners and "Bob Peer" in org_learners
    page = p.client("maria").get(url).content.decode()
    assert "Oscar" not in page and "Sales" not in page


def test_planned_vs_actual_headline_and_xlsx(refreshed):
    p = refreshed.personas
    r = p.client("erin").get(reverse("insights:planned"))
    assert "1 (100 %)" in r.content.decode()
    x = p.client("erin").get(reverse("insights:planned"), {"export": "xlsx", "table": "programs"})
    assert x.status_code == 200
    assert x.content[:2] == b"PK"
    bad = p.client("erin").get(reverse("insights:planned"), {"export": "pdf", "table": "programs"})
    assert bad.status_code == 404


def test_learning_time_org_and_line(refreshed):
    p = refreshed.personas
    url = reverse("insights:learning")
    org = {r["Segment"]: r for r in _csv(p.client("lena"), url, "departments")}
    assert org["Technology & Data"]["Mandated"] == "0.5"
    assert org["Technology & Data"]["Self-directed"] == "1.3"
    assert org["Sales"]["Mandated"] == "0.8"
    line = {r["Segment"]: r for r in _csv(p.client("maria"), url, "departments")}
    assert list(line) == ["Technology & Data"]
    assert line["Technology & Data"]["People"] == "2"  # alice and bob, not maria herself
    assert line["Technology & Data"]["Self-directed share (%)"] == "72.7"  # 80 of 110 minutes
    weekly = _csv(p.client("maria"), url, "weekly")
    assert sum(float(w["Self-directed"]) for w in weekly) == 1.3


def test_skills_heatmap_counts_role_requirements_and_evidence(refreshed):
    from trellis.insights.refresh import summaries_refresh
    from trellis.skills.models import RoleSkill, Skill, SkillEvidence

    p = refreshed.personas
    skill = Skill.objects.create(uri="test:prompt-design", source="trellis", label="Prompt design")
    for person in (p.alice, p.bob, p.charlie):
        RoleSkill.objects.get_or_create(
            job_role=person.job_role, skill=skill, defaults={"target_level": 3}
        )
    SkillEvidence.objects.create(
        employee=p.alice, skill=skill, level=3, observed_on=refreshed.today
    )
    SkillEvidence.objects.create(
        employee=p.charlie, skill=skill, level=2, observed_on=refreshed.today
    )
    summaries_refresh()
    url = reverse("insights:skills")
    org = {r["Skill"]: r for r in _csv(p.client("lena"), url, "gaps")}
    assert org["Prompt design"]["People who need it"] == "3"
    assert org["Prompt design"]["Meeting the level"] == "1"
    line = {r["Skill"]: r for r in _csv(p.client("maria"), url, "gaps")}
    assert line["Prompt design"]["People who need it"] == "2"
    assert line["Prompt design"]["Share meeting (%)"] == "50.0"
    heat = _csv(p.client("maria"), url, "heatmap")
    assert heat == [{"Department": "Technology & Data", "Prompt design (%)": "50.0"}]


def test_content_per_item_for_org_and_line(refreshed):
    p = refreshed.personas
    url = reverse("insights:content")
    org = {r["Item"]: r for r in _csv(p.client("lena"), url, "items")}
    assert (org["Prompting basics"]["Learners"], org["Prompting basics"]["Completed"]) == ("2", "2")
    assert org["Prompting basics"]["Time spent"] == "1.2"  # 30 + 45 minutes
    assert org["Negotiation skills"]["Learners"] == "2"
    line = {r["Item"]: r for r in _csv(p.client("maria"), url, "items")}
    assert (line["Prompting basics"]["Learners"], line["Prompting basics"]["Completed"]) == (
        "1",
        "1",
    )
    assert line["Prompting basics"]["Completion rate (%)"] == "100.0"


def test_readiness_shows_suppressed_groups_and_the_index(refreshed, surveys):
    p = refreshed.personas
    r = p.client("lena").get(reverse("insights:readiness"))
    page = r.content.decode()
    assert "fewer than 5 respondents" in page
    assert "Readiness index = 100" in page
    rows = {
        row["Department"]: row
        for row in _csv(p.client("lena"), reverse("insights:readiness"), "groups")
    }
    assert rows["Sales"]["Respondents"] == "fewer than 5 respondents"
    assert rows["Sales"]["Readiness index"] == "fewer than 5 respondents"
    # 100 x (.15(.6+.7+.56+.4) + .1(.5+.45) + .1(.23 + .5 x .52) + .1 x 0): wave 2, no evidence
    assert rows["Technology & Data"]["Readiness index"] == "48.3"
    trend = _csv(p.client("lena"), reverse("insights:readiness"), "trend")
    assert [(t["Wave"], t["Readiness index"]) for t in trend] == [
        ("Q1 pulse", "46.8"),
        ("Q2 pulse", "48.3"),
    ]


def test_readiness_manager_passes_the_line_and_sees_only_suppressed(refreshed, surveys):
    p = refreshed.personas
    r = p.client("maria").get(reverse("insights:readiness"))
    assert r.status_code == 200
    assert "fewer than 5 respondents" in r.content.decode()
    line_ids = {p.alice.pk, p.bob.pk}
    assert surveys.calls and all(set(c["employee_ids"]) == line_ids for c in surveys.calls)


def test_pdfs(refreshed, surveys):
    p = refreshed.personas
    r = p.client("erin").get(reverse("insights:readiness_pdf"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert b"Technology & Data" in r.content and b"fewer than 5 respondents" in r.content
    r = p.client("lena").get(reverse("insights:program_pdf", args=[refreshed.program.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert b"AI fluency" in r.content
    assert p.client("alice").get(reverse("insights:readiness_pdf")).status_code == 403
    assert p.client("oscar").get(reverse("insights:program_pdf", args=[999999])).status_code == 404


def test_api_scoped_like_the_pages(refreshed, surveys):
    p = refreshed.personas
    r = p.client("lena").get("/api/v1/insights/planned")
    assert r.status_code == 200
    body = r.json()
    assert body["scope"] == "organisation"
    programs = next(t for t in body["tables"] if t["key"] == "programs")
    assert programs["rows"][0]["enrolled"] == 8
    line = p.client("maria").get("/api/v1/insights/planned").json()
    assert line["scope"] == "reporting_line"
    assert next(t for t in line["tables"] if t["key"] == "programs")["rows"][0]["enrolled"] == 2
    assert p.client("alice").get("/api/v1/insights/planned").status_code == 403
    bad = p.client("lena").get("/api/v1/insights/learning", {"weeks": 99})
    assert bad.status_code == 422 and "weeks" in bad.content.decode()
    assert p.client("lena").get("/api/v1/insights/").status_code == 200
