"""Pages: every view with the owner, a member without the permission and an outsider."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from trellis.core.models import AuditEvent
from trellis.surveys import services
from trellis.surveys.models import Question, Response, Survey
from trellis.surveys.tests.conftest import PULSE, answer, close_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_wave(personas, org, make_pulse):
    """A closed pulse wave answered by maria's and oscar's lines (10 each)."""
    survey = make_pulse()
    now = timezone.now()
    wave = services.wave_schedule(
        actor=personas.lena.user,
        survey=survey,
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=1),
    )
    services.waves_tick(now=now - dt.timedelta(days=9))
    wave.refresh_from_db()
    for n, e in enumerate([*org["maria_team"], *org["oscar_team"]]):
        answer(
            e,
            wave,
            now=now,
            ai_comfort=5 if n % 2 else 3,
            ai_support_needed=f"note {n}" if n < 3 else "",
        )
    return close_wave(wave)


def _form(survey_answers: dict) -> dict:
    data = {}
    for key, value in survey_answers.items():
        data[f"q-{key}"] = value
    return data


# --- learner ------------------------------------------------------------------------------------


def test_surveys_to_answer_lists_only_my_open_waves(personas, live_wave):
    page = personas.client("alice").get("/surveys/")
    assert page.status_code == 200
    assert page.context["open"][0]["wave"] == live_wave
    assert page.context["open"][0]["answered"] is False
    # charlie is not in the audience: nothing listed
    assert personas.client("charlie").get("/surveys/").context["open"] == []


def test_answer_page_permissions(personas, live_wave):
    url = f"/surveys/waves/{live_wave.pk}/"
    assert personas.client("alice").get(url).status_code == 200
    assert personas.client("charlie").get(url).status_code == 404  # outside the audience
    assert personas.client("lena").get(url).status_code == 404  # L&D is not asked either
    assert personas.client("alice").get("/surveys/waves/999999/").status_code == 404


def test_answering_and_the_one_response_rule(personas, live_wave):
    client = personas.client("alice")
    url = f"/surveys/waves/{live_wave.pk}/"
    response = client.post(url, _form(PULSE))
    assert response.status_code == 302 and response["Location"] == "/surveys/"
    assert Response.objects.filter(wave=live_wave).count() == 1
    assert Response.objects.get().employee is None
    page = client.get(url)
    assert page.context["answered"] is True and page.context["can_answer"] is False
    again = client.post(url, _form({**PULSE, "ai_comfort": 1}))
    assert again.status_code == 400
    assert "anonymous answers cannot be changed" in again.content.decode()
    assert Response.objects.count() == 1


def test_invalid_answers_are_shown_naming_the_question_and_nothing_is_written(personas, live_wave):
    client = personas.client("bob")
    bad = {**PULSE, "ai_self_level": ""}
    response = client.post(f"/surveys/waves/{live_wave.pk}/", _form(bad))
    assert response.status_code == 400
    assert response.context["errors"] == {
        "ai_self_level": "Question 4 “How would you rate your own AI skills?”: please answer "
        "this question."
    }
    assert 'href="#q-ai_self_level"' in response.content.decode()
    assert Response.objects.count() == 0


def test_opting_in_to_personalization_from_the_survey(personas, live_wave):
    from trellis.surveys.selectors import survey_signals_for

    personas.client("alice").post(
        f"/surveys/waves/{live_wave.pk}/", {**_form(PULSE), "personalize": "on"}
    )
    assert survey_signals_for(personas.alice)["ai_self_level"] == "intermediate"


# --- L&D build pages ----------------------------------------------------------------------------


def test_manage_list_permissions(personas, make_pulse):
    make_pulse()
    assert personas.client("lena").get("/surveys/manage/").status_code == 200
    erin = personas.client("erin").get("/surveys/manage/")
    assert erin.status_code == 200
    assert "New AI-readiness pulse" not in erin.content.decode()  # read-only
    assert personas.client("alice").get("/surveys/manage/").status_code == 403
    assert personas.client("maria").get("/surveys/manage/").status_code == 403


def test_from_template_in_one_click(personas):
    response = personas.client("lena").post("/surveys/manage/from-template/")
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/surveys/manage/{survey.pk}/"
    assert survey.questions.count() == 13
    unknown = personas.client("lena").post("/surveys/manage/from-template/", {"template": "nope"})
    assert unknown.status_code == 302 and unknown["Location"] == "/surveys/manage/"
    assert personas.client("erin").post("/surveys/manage/from-template/").status_code == 403
    assert personas.client("alice").post("/surveys/manage/from-template/").status_code == 403
    assert Survey.objects.count() == 1


def _survey_post(**over):
    data = {
        "title": "Team pulse",
        "intro": "",
        "confidential": "on",
        "anonymity_threshold": "5",
        "repeat_months": "0",
        "reminder_days": "3",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "20",
    }
    data.update(over)
    return data


def test_create_survey_and_the_threshold_error(personas):
    lena = personas.client("lena")
    bad = lena.post("/surveys/manage/new/", _survey_post(anonymity_threshold="2"))
    assert bad.status_code == 400
    assert (
        "The anonymity threshold must be at least 3 respondents (you gave 2)"
        in bad.content.decode()
    )
    assert Survey.objects.count() == 0
    ok = lena.post("/surveys/manage/new/", _survey_post())
    survey = Survey.objects.get()
    assert ok.status_code == 302 and survey.title == "Team pulse"
    assert survey.rules.count() == 1  # everyone
    assert personas.client("erin").post("/surveys/manage/new/", _survey_post()).status_code == 403
    assert personas.client("alice").get("/surveys/manage/new/").status_code == 403
    assert Survey.objects.count() == 1


def test_edit_page_read_only_for_executives(personas, make_pulse):
    survey = make_pulse()
    url = f"/surveys/manage/{survey.pk}/"
    assert personas.client("lena").get(url).context["can_edit"] is True
    assert personas.client("erin").get(url).context["can_edit"] is False
    assert personas.client("erin").post(url, _survey_post()).status_code == 403
    assert personas.client("alice").get(url).status_code == 403
    survey.refresh_from_db()
    assert survey.title == "AI-readiness pulse"


def test_add_a_question_with_htmx_and_without(personas):
    survey = services.survey_create(actor=personas.lena.user, title="Builder")
    lena = personas.client("lena")
    url = f"/surveys/manage/{survey.pk}/questions/"
    fragment = lena.post(
        url,
        {
            "text": "Hours of learning last week?",
            "key": "hours",
            "kind": "numeric",
            "required": "on",
            "min_value": "0",
            "max_value": "60",
        },
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    assert "HX-Request" in fragment["Vary"]
    assert "Hours of learning last week?" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    plain = lena.post(
        url,
        {"text": "Favourite format", "key": "fmt", "kind": "single", "options": "Video\nText"},
    )
    assert plain.status_code == 302
    q = Question.objects.get(key="fmt")
    assert q.options == [["video", "Video"], ["text", "Text"]] and q.required is False
    bad = lena.post(url, {"text": "Again", "key": "fmt", "kind": "text"})
    assert bad.status_code == 400
    assert "already has a question with the key" in bad.content.decode()
    assert (
        personas.client("erin").post(url, {"text": "x", "key": "x", "kind": "text"}).status_code
        == 403
    )
    assert Question.objects.filter(survey=survey).count() == 2


def test_preview(personas, make_pulse):
    survey = make_pulse()
    page = personas.client("lena").get(f"/surveys/manage/{survey.pk}/preview/")
    assert page.status_code == 200 and page.context["preview"] is True
    assert "How comfortable do you feel using AI at work?" in page.content.decode()
    assert personas.client("erin").get(f"/surveys/manage/{survey.pk}/preview/").status_code == 200
    assert personas.client("alice").get(f"/surveys/manage/{survey.pk}/preview/").status_code == 403


def test_schedule_a_wave(personas, make_pulse):
    survey = make_pulse()
    url = f"/surveys/manage/{survey.pk}/waves/"
    bad = personas.client("lena").post(
        url, {"opens_at": "2036-03-10T09:00", "closes_at": "2036-03-01T09:00"}
    )
    assert bad.status_code == 400 and survey.waves.count() == 0
    ok = personas.client("lena").post(
        url, {"opens_at": "2036-03-01T09:00", "closes_at": "2036-03-15T09:00"}
    )
    assert ok.status_code == 302 and survey.waves.count() == 1
    assert (
        personas.client("erin")
        .post(url, {"opens_at": "2036-06-01T09:00", "closes_at": "2036-06-15T09:00"})
        .status_code
        == 403
    )
    assert survey.waves.count() == 1


# --- results ------------------------------------------------------------------------------------


def test_results_permissions(personas, closed_wave):
    url = f"/surveys/waves/{closed_wave.pk}/results/"
    lena = personas.client("lena").get(url)
    assert lena.status_code == 200 and lena.context["respondents"] == 20
    assert personas.client("erin").get(url).context["respondents"] == 20
    # a manager sees only her own reporting line
    maria = personas.client("maria").get(url)
    assert maria.status_code == 200
    assert maria.context["manager"] == personas.maria and maria.context["respondents"] == 10
    # no other line, and no breakdown inside her line
    maria_client = personas.client("maria")
    assert maria_client.get(url + f"?line={personas.oscar.employee_id}").status_code == 400
    assert maria_client.get(url + "?dimension=location").status_code == 400
    lena_client = personas.client("lena")
    assert lena_client.get(url + f"?line={personas.maria.employee_id}").status_code == 400
    assert personas.client("alice").get(url).status_code == 403


def test_results_refuse_combined_filters(personas, closed_wave):
    url = f"/surveys/waves/{closed_wave.pk}/results/?dimension=department&location=Berlin"
    response = personas.client("lena").get(url)
    assert response.status_code == 400
    assert "other filters (location) are not allowed" in response.content.decode()
    csv_url = f"/surveys/waves/{closed_wave.pk}/results.csv?dimension=department&exclude=berlin"
    assert personas.client("lena").get(csv_url).status_code == 400
    assert not AuditEvent.objects.filter(code="trellis.survey.results_exported").exists()


def test_results_csv_is_the_suppressed_table_and_is_audited(personas, closed_wave):
    response = personas.client("lena").get(
        f"/surveys/waves/{closed_wave.pk}/results.csv?dimension=location"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "dimension",
        "key",
        "label",
        "respondents",
        "suppressed",
        "question",
        "answer",
        "answer_label",
        "count",
        "share",
        "mean",
    ]
    comfort = [r for r in rows[1:] if r[5] == "ai_comfort" and r[6] in ("3", "5")]
    assert [(r[2], r[3], r[6], r[8], r[9]) for r in comfort] == [
        ("Berlin", "10", "3", "5", "0.5"),
        ("Berlin", "10", "5", "5", "0.5"),
        ("London", "10", "3", "5", "0.5"),
        ("London", "10", "5", "5", "0.5"),
    ]
    assert "note 0" not in response.content.decode()  # no free text in the export
    event = AuditEvent.objects.get(code="trellis.survey.results_exported")
    assert event.actor == personas.lena.user
    assert event.data == {
        "wave": closed_wave.pk,
        "dimension": "location",
        "line": None,
        "via": "csv",
    }
    assert (
        personas.client("alice").get(f"/surveys/waves/{closed_wave.pk}/results.csv").status_code
        == 403
    )
    assert AuditEvent.objects.filter(code="trellis.survey.results_exported").count() == 1


def test_results_show_free_text_without_names(personas, closed_wave):
    page = personas.client("lena").get(f"/surveys/waves/{closed_wave.pk}/results/")
    assert page.context["comments"] == {"ai_support_needed": ["note 0", "note 1", "note 2"]}
    body = page.content.decode()
    assert "note 1" in body and personas.alice.full_name not in body


def test_named_answers_only_for_non_confidential_surveys_and_ld(personas, make_pulse):
    survey = make_pulse(confidential=False)
    now = timezone.now()
    wave = services.wave_schedule(
        actor=personas.lena.user,
        survey=survey,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
    )
    services.waves_tick(now=now)
    wave.refresh_from_db()
    answer(personas.alice, wave, now=now)
    page = personas.client("lena").get(f"/surveys/waves/{wave.pk}/answers/")
    assert page.status_code == 200
    assert [r.employee for r, _ in page.context["rows"]] == [personas.alice]
    assert AuditEvent.objects.filter(code="trellis.survey.named_answers_viewed").count() == 1
    assert personas.client("erin").get(f"/surveys/waves/{wave.pk}/answers/").status_code == 403
    assert personas.client("alice").get(f"/surveys/waves/{wave.pk}/answers/").status_code == 403


def test_no_named_answers_for_a_confidential_survey(personas, closed_wave):
    assert (
        personas.client("lena").get(f"/surveys/waves/{closed_wave.pk}/answers/").status_code == 404
    )


def test_team_page_for_managers(personas, closed_wave):
    page = personas.client("maria").get("/surveys/team/")
    assert page.status_code == 200 and page.context["waves"] == [closed_wave]
    assert personas.client("alice").get("/surveys/team/").status_code == 403
    assert personas.client("lena").get("/surveys/team/").status_code == 403


def test_list_pages_do_not_query_per_row(personas, make_pulse, django_assert_max_num_queries):
    for _ in range(4):
        make_pulse()
    lena = personas.client("lena")
    lena.get("/surveys/manage/")  # warm the session and the roles
    with django_assert_max_num_queries(8):
        assert len(lena.get("/surveys/manage/").context["surveys"]) == 4


def test_surveys_to_answer_queries(personas, live_wave, django_assert_max_num_queries):
    client = personas.client("alice")
    client.get("/surveys/")
    with django_assert_max_num_queries(10):
        assert len(client.get("/surveys/").context["open"]) == 1


def test_learner_sees_own_non_confidential_answers_only(personas, make_pulse):
    survey = make_pulse(confidential=False, rules=[{"departments": [personas.maria.department]}])
    now = timezone.now()
    wave = services.wave_schedule(
        actor=personas.lena.user,
        survey=survey,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
    )
    services.waves_tick(now=now)
    wave.refresh_from_db()
    answer(personas.alice, wave, now=now, ai_comfort=2)
    alice = personas.client("alice").get(f"/surveys/waves/{wave.pk}/")
    assert alice.context["values"]["ai_comfort"] == 2 and alice.context["can_answer"] is True
    assert personas.client("bob").get(f"/surveys/waves/{wave.pk}/").context["values"] == {}
    assert personas.client("charlie").get(f"/surveys/waves/{wave.pk}/").status_code == 404


def test_surveys_page_links_to_the_results_each_role_may_open(personas):
    from django.urls import reverse

    team, manage = reverse("surveys:team"), reverse("surveys:manage")
    alice = personas.client("alice").get(reverse("surveys:mine")).content.decode()
    assert team not in alice and manage not in alice
    maria = personas.client("maria").get(reverse("surveys:mine")).content.decode()
    assert team in maria and manage not in maria
    lena = personas.client("lena").get(reverse("surveys:mine")).content.decode()
    assert manage in lena
