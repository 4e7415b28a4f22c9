from __future__ import annotations

from django.urls import reverse

from trellis.skills.models import RoleSkill, SkillEvidence
from trellis.skills.services import role_profile_generate


def _profile(role):
    return sorted(
        RoleSkill.objects.filter(job_role=role).values_list(
            "skill__uri", "target_level", "is_essential", "origin"
        )
    )


def test_role_list_permissions(taxonomy, personas, django_assert_num_queries):
    url = reverse("skills:roles")
    for who in ("alice", "maria", "charlie"):
        assert personas.client(who).get(url).status_code == 403
    role_profile_generate(job_role=taxonomy.role, actor=None)
    for who in ("lena", "erin", "audrey"):
        response = personas.client(who).get(url)
        assert response.status_code == 200
    row = next(r for r in response.context["roles"] if r.pk == taxonomy.role.pk)
    assert (row.headcount, row.profile_size, row.occupation.label) == (0, 10, "software developer")
    assert "Software Developer" in response.content.decode()


def test_role_list_query_count_does_not_grow(taxonomy, personas, django_assert_max_num_queries):
    client = personas.client("erin")
    client.get(reverse("skills:roles"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("skills:roles"))
    from trellis.people.tests.factories import JobRoleFactory

    JobRoleFactory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("skills:roles"))


def test_role_detail_read_only_for_executive(taxonomy, personas):
    role_profile_generate(job_role=taxonomy.role, actor=None)
    url = reverse("skills:role", args=[taxonomy.role.pk])
    before = _profile(taxonomy.role)
    erin = personas.client("erin")
    page = erin.get(url)
    assert page.status_code == 200
    assert "Regenerate from occupation" not in page.content.decode()
    response = erin.post(url, {"action": "remove", "skill_id": taxonomy.py.pk})
    assert response.status_code == 403
    assert _profile(taxonomy.role) == before
    assert personas.client("alice").get(url).status_code == 403
    assert personas.client("alice").post(url, {"action": "regenerate"}).status_code == 403
    assert _profile(taxonomy.role) == before


def test_role_detail_lena_edits(taxonomy, personas):
    url = reverse("skills:role", args=[taxonomy.role.pk])
    lena = personas.client("lena")
    assert "Regenerate from occupation" in lena.get(url).content.decode()

    assert lena.post(url, {"action": "regenerate"}).status_code == 302
    assert len(_profile(taxonomy.role)) == 10
    assert (
        lena.post(
            url,
            {
                "action": "set",
                "skill_id": taxonomy.team.pk,
                "target_level": "2",
                "is_essential": "on",
            },
        ).status_code
        == 302
    )
    assert RoleSkill.objects.get(job_role=taxonomy.role, skill=taxonomy.team).origin == "manual"
    assert (
        lena.post(
            url, {"action": "set", "skill_id": taxonomy.py.pk, "target_level": "5"}
        ).status_code
        == 302
    )
    assert RoleSkill.objects.filter(job_role=taxonomy.role, skill=taxonomy.py).values_list(
        "target_level", "is_essential", "origin"
    ).get() == (5, False, "manual")
    assert lena.post(url, {"action": "remove", "skill_id": taxonomy.debug.pk}).status_code == 302
    assert not RoleSkill.objects.filter(job_role=taxonomy.role, skill=taxonomy.debug).exists()

    before = _profile(taxonomy.role)
    bad = lena.post(url, {"action": "set", "skill_id": taxonomy.team.pk, "target_level": "9"})
    assert bad.status_code == 422
    assert "target_level" in bad.context["form_errors"]
    missing = lena.post(url, {"action": "set", "skill_id": 999999, "target_level": "3"})
    assert missing.status_code == 422
    assert "skill_id" in missing.context["form_errors"]
    assert _profile(taxonomy.role) == before


def test_role_detail_typeahead_plain_and_htmx(taxonomy, personas):
    url = reverse("skills:role", args=[taxonomy.role.pk])
    lena = personas.client("lena")
    plain = lena.get(url, {"q": "python"})
    assert [s.uri for s in plain.context["results"]] == [taxonomy.py.uri]
    assert "<html" in plain.content.decode()
    fragment = lena.get(
        url, {"q": "teamwork", "partial": "results"}, headers={"HX-Request": "true"}
    )
    body = fragment.content.decode()
    assert "<html" not in body and "work in teams" in body
    assert "HX-Request" in fragment["Vary"]


def test_skill_detail_and_search_open_to_everyone(taxonomy, personas):
    for who in ("alice", "charlie", "lena"):
        client = personas.client(who)
        page = client.get(reverse("skills:skill", args=[taxonomy.py.pk]))
        assert page.status_code == 200
        body = page.content.decode()
        assert (
            "Python (computer programming)" in body
            and "python programming" in body
            and "ICT" in body
            and "debug software" in body
        )
        results = client.get(reverse("skills:search"), {"q": "teamwork"})
        assert [s.uri for s in results.context["page"].object_list] == [taxonomy.team.uri]
    ai = (
        personas.client("alice")
        .get(reverse("skills:skill", args=[taxonomy.ai["prompting"].pk]))
        .content.decode()
    )
    assert "Practitioner" in ai and "Advanced" in ai
    assert personas.client("alice").get(reverse("skills:skill", args=[999999])).status_code == 404


def test_self_rating_page(taxonomy, personas):
    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    client = personas.client("alice")
    url = reverse("skills:self_rate")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert (
        f'name="skill_{taxonomy.py.pk}"' in body
        and "3: Practitioner" in body
        and "3: Intermediate" in body
    )

    bad = client.post(
        url, {f"skill_{taxonomy.py.pk}": "7", f"skill_{taxonomy.ai['prompting'].pk}": "2"}
    )
    assert bad.status_code == 422
    assert list(bad.context["form"].errors) == [f"skill_{taxonomy.py.pk}"]
    assert "Python (computer programming)" in bad.content.decode()
    assert SkillEvidence.objects.count() == 0

    ok = client.post(
        url,
        {
            f"skill_{taxonomy.py.pk}": "2",
            f"skill_{taxonomy.ai['prompting'].pk}": "4",
            f"skill_{taxonomy.debug.pk}": "",
        },
    )
    assert ok.status_code == 302
    assert sorted(
        SkillEvidence.objects.values_list("employee__user__username", "skill__uri", "level", "kind")
    ) == sorted(
        [("alice", taxonomy.py.uri, 2, "self"), ("alice", taxonomy.ai["prompting"].uri, 4, "self")]
    )


def test_self_rating_only_for_oneself(taxonomy, personas):
    """The page has no employee parameter: whatever bob posts is saved as bob's, never alice's."""
    bob = personas.client("bob")
    response = bob.post(
        reverse("skills:self_rate"),
        {f"skill_{taxonomy.ai['prompting'].pk}": "3", "employee": personas.alice.pk},
    )
    assert response.status_code == 302
    assert list(SkillEvidence.objects.values_list("employee__user__username", flat=True)) == ["bob"]
    assert not SkillEvidence.objects.filter(employee=personas.alice).exists()
    # a skill outside bob's role profile and the AI family is not a field of his form: nothing saved
    response = bob.post(reverse("skills:self_rate"), {f"skill_{taxonomy.team.pk}": "3"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["Choose a level for at least one skill."]
    assert SkillEvidence.objects.count() == 1


def test_employee_skills_include_renders(taxonomy, personas):
    from django.template.loader import render_to_string

    from trellis.skills.selectors import employee_skill_profile

    alice = personas.alice
    alice.job_role = taxonomy.role
    alice.save(update_fields=["job_role"])
    role_profile_generate(job_role=taxonomy.role, actor=None)
    SkillEvidence.objects.create(
        employee=alice,
        skill=taxonomy.ai["prompting"],
        level=3,
        kind="self",
        observed_on="2026-01-05",
    )
    html = render_to_string(
        "skills/_employee_skills.html",
        {"skill_profile": employee_skill_profile(employee=alice), "can_rate": True},
    )
    assert "Rate my skills" in html and reverse("skills:self_rate") in html
    assert "Practitioner" in html and "Python (computer programming)" in html and "gap 3" in html
    html = render_to_string(
        "skills/_employee_skills.html", {"skill_profile": employee_skill_profile(employee=alice)}
    )
    assert "Rate my skills" not in html
