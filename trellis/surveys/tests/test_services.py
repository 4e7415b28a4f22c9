from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from trellis.core.models import AuditEvent
from trellis.core.scheduler import registered_jobs
from trellis.notify.models import Notification
from trellis.surveys import services
from trellis.surveys.models import Participation, Question, Response, Survey, SurveySignal, Wave
from trellis.surveys.templates_catalog import READINESS_KEYS
from trellis.surveys.tests.conftest import NOW, PULSE, answer, close_wave, open_wave

pytestmark = pytest.mark.django_db


def test_the_pulse_template_has_the_fixed_keys(personas):
    survey = services.survey_from_template(actor=personas.lena.user)
    assert list(survey.questions.values_list("key", flat=True)) == [
        "ai_comfort",
        "ai_weekly_use",
        "ai_tool_confidence",
        "ai_self_level",
        "ai_time_saving",
        "ai_strategy_communicated",
        "ai_usage_expectations",
        "ai_ownership_clarity",
        "ai_tailoring_comfort",
        "ai_benefits",
        "want_more_control",
        "want_more_human",
        "ai_support_needed",
    ]
    assert sorted(READINESS_KEYS) == sorted(survey.questions.values_list("key", flat=True))
    assert survey.confidential is True and survey.anonymity_threshold == 5
    assert survey.template == "ai-readiness-pulse" and survey.repeat_months == 3
    comfort = survey.questions.get(key="ai_comfort")
    assert comfort.choices[0] == ("1", "Very uncomfortable")
    assert comfort.choices[4] == ("5", "Very comfortable")
    assert AuditEvent.objects.filter(code="trellis.survey.from_template").count() == 1


@pytest.mark.parametrize("threshold", [2, 0, -1])
def test_threshold_below_three_is_refused_with_a_clear_error(personas, threshold):
    with pytest.raises(ValidationError) as exc:
        services.survey_create(
            actor=personas.lena.user, title="Pulse", anonymity_threshold=threshold
        )
    assert exc.value.message_dict["anonymity_threshold"] == [
        f"The anonymity threshold must be at least 3 respondents (you gave {threshold}): "
        "fewer would let people be singled out."
    ]
    assert Survey.objects.count() == 0


def test_threshold_update_below_three_changes_nothing(personas, make_pulse):
    survey = make_pulse()
    with pytest.raises(ValidationError):
        services.survey_update(actor=personas.lena.user, survey=survey, anonymity_threshold=2)
    survey.refresh_from_db()
    assert survey.anonymity_threshold == 5
    services.survey_update(actor=personas.lena.user, survey=survey, anonymity_threshold=8)
    survey.refresh_from_db()
    assert survey.anonymity_threshold == 8


def test_question_checks(personas):
    survey = services.survey_create(actor=personas.lena.user, title="Checks")
    lena = personas.lena.user
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            actor=lena, survey=survey, key="q1", kind="single", text="Pick", options=[["a", "A"]]
        )
    assert exc.value.message_dict == {"options": ["Give at least two choices."]}
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            actor=lena, survey=survey, key="n", kind="numeric", text="N", min_value=5, max_value=1
        )
    assert exc.value.message_dict == {
        "max_value": ["The maximum must be greater than the minimum."]
    }
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            actor=lena, survey=survey, key="L", kind="likert", text="Scale", options=[["1", "a"]]
        )
    assert set(exc.value.message_dict) == {"key", "options"}
    assert Question.objects.count() == 0
    q = services.question_add(actor=lena, survey=survey, key="scale", kind="likert", text="Scale")
    assert [label for _, label in q.choices] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    with pytest.raises(ValidationError) as exc:
        services.question_add(actor=lena, survey=survey, key="scale", kind="text", text="Again")
    assert exc.value.message_dict == {
        "key": ["The survey already has a question with the key 'scale'."]
    }


def test_waves_open_remind_close_once_and_schedule_the_next(personas, make_pulse):
    survey = make_pulse(rules=[{"departments": [personas.maria.department]}])
    wave = services.wave_schedule(
        actor=personas.lena.user,
        survey=survey,
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=14),
    )
    assert services.waves_tick(now=NOW - dt.timedelta(minutes=1)) == {
        "opened": 0,
        "invited": 0,
        "reminded": 0,
        "closed": 0,
        "signals_purged": 0,
    }
    first = services.waves_tick(now=NOW)
    assert first == {"opened": 1, "invited": 3, "reminded": 0, "closed": 0, "signals_purged": 0}
    assert services.waves_tick(now=NOW + dt.timedelta(minutes=15))["opened"] == 0
    assert services.wave_open(wave=wave, now=NOW) is None  # already claimed
    wave.refresh_from_db()
    assert wave.status == Wave.Status.OPEN and wave.invited == 3
    assert set(Participation.objects.values_list("employee__user__username", flat=True)) == {
        "maria",
        "alice",
        "bob",
    }
    invites = Notification.objects.filter(key__startswith=f"survey:wave:{wave.pk}:invite:")
    assert invites.count() == 3
    # the next wave, three months later, scheduled once
    nxt = Wave.objects.get(survey=survey, number=2)
    assert nxt.opens_at == NOW.replace(month=9) and nxt.status == Wave.Status.SCHEDULED
    # reminders 3 days before close to those who have not answered, once
    answer(personas.alice, wave, now=NOW + dt.timedelta(days=1))
    remind_at = wave.closes_at - dt.timedelta(days=3)
    assert services.waves_tick(now=remind_at - dt.timedelta(hours=1))["reminded"] == 0
    assert services.waves_tick(now=remind_at)["reminded"] == 2
    assert services.waves_tick(now=remind_at + dt.timedelta(hours=1))["reminded"] == 0
    reminded = Notification.objects.filter(key__startswith=f"survey:wave:{wave.pk}:reminder:")
    assert sorted(n.recipient.user.username for n in reminded) == ["bob", "maria"]
    assert services.waves_tick(now=wave.closes_at)["closed"] == 1
    assert services.waves_tick(now=wave.closes_at + dt.timedelta(hours=1))["closed"] == 0
    wave.refresh_from_db()
    assert wave.status == Wave.Status.CLOSED
    assert Wave.objects.filter(survey=survey).count() == 2


def test_the_periodic_job_is_registered():
    assert "surveys.waves" in registered_jobs()
    assert registered_jobs()["surveys.waves"].every == dt.timedelta(minutes=15)


def test_invalid_answers_name_the_question_and_write_nothing(personas, make_pulse):
    wave = open_wave(make_pulse(), actor=personas.lena.user)
    bad = {**PULSE, "ai_comfort": 9, "ai_weekly_use": "", "ai_benefits": ["teleport"]}
    with pytest.raises(ValidationError) as exc:
        services.response_submit(employee=personas.alice, wave=wave, answers=bad, now=NOW)
    assert exc.value.message_dict == {
        "ai_comfort": [
            "Question 1 “How comfortable do you feel using AI at work?”: choose a point of the "
            "scale from 1 to 5."
        ],
        "ai_weekly_use": [
            "Question 2 “How often do you use AI tools at work?”: please answer this question."
        ],
        "ai_benefits": [
            "Question 10 “Where does AI help your learning most? (choose all that apply)”: "
            "choose among the answers offered."
        ],
    }
    assert Response.objects.count() == 0
    assert Participation.objects.get(wave=wave, employee=personas.alice).answered is False


def test_confidential_answers_have_no_link_to_the_person(personas, make_pulse):
    wave = open_wave(make_pulse(), actor=personas.lena.user)
    assert answer(personas.alice, wave) is None
    response = Response.objects.get()
    assert response.employee is None
    assert response.submitted_at is None and response.updated_at is None
    # the managers above alice (erin, maria), never alice's own id
    assert response.manager_path == f"/{personas.erin.pk}/{personas.maria.pk}/"
    assert response.segment["department"] == ["technology-data", "Technology & Data"]
    assert response.answers["ai_comfort"] == 4 and "ai_support_needed" not in response.answers
    assert Participation.objects.get(wave=wave, employee=personas.alice).answered is True
    with pytest.raises(ValidationError) as exc:
        answer(personas.alice, wave, ai_comfort=1)
    assert exc.value.message_dict == {
        "wave": ["You have already answered; anonymous answers cannot be changed."]
    }
    assert Response.objects.count() == 1
    assert not AuditEvent.objects.filter(code__startswith="trellis.survey.answer").exists()


def test_non_confidential_answers_can_change_until_close(personas, make_pulse):
    wave = open_wave(make_pulse(confidential=False), actor=personas.lena.user)
    first = answer(personas.alice, wave)
    assert first.employee == personas.alice and first.submitted_at == NOW
    answer(personas.alice, wave, now=NOW + dt.timedelta(days=1), ai_comfort=2)
    response = Response.objects.get()
    assert response.answers["ai_comfort"] == 2 and response.updated_at == NOW + dt.timedelta(days=1)
    close_wave(wave)
    with pytest.raises(ValidationError) as exc:
        answer(personas.alice, wave, now=wave.closes_at + dt.timedelta(hours=1), ai_comfort=5)
    assert exc.value.message_dict == {"wave": ["This survey is not open for answers."]}
    assert Response.objects.get().answers["ai_comfort"] == 2


def test_people_outside_the_audience_cannot_answer(personas, make_pulse):
    survey = make_pulse(rules=[{"departments": [personas.maria.department]}])
    wave = open_wave(survey, actor=personas.lena.user)
    with pytest.raises(ValidationError) as exc:
        answer(personas.charlie, wave)
    assert exc.value.message_dict == {"wave": ["You are not in this survey's audience."]}
    assert Response.objects.count() == 0


def test_consent_copies_pulse_signals_and_withdrawal_hides_them(personas, make_pulse):
    from trellis.discovery.models import Signal
    from trellis.discovery.personalization import consent_set
    from trellis.surveys.selectors import survey_signals_for

    wave = open_wave(make_pulse(), actor=personas.lena.user)
    services.response_submit(
        employee=personas.alice,
        wave=wave,
        answers={**PULSE, "ai_self_level": "advanced", "ai_benefits": ["practice_feedback"]},
        personalize=True,
        now=NOW,
    )
    assert survey_signals_for(personas.alice) == {
        "wave_id": wave.pk,
        "answered_on": NOW.date(),
        "ai_self_level": "advanced",
        "ai_comfort": 4,
        "ai_weekly_use": "weekly",
        "interests": ["practice_feedback"],
        "wants_more_human": False,
    }
    consent_set(employee=personas.alice, signal=Signal.SURVEYS, granted=False, actor=None)
    assert survey_signals_for(personas.alice) == {}
    # the periodic job then deletes the copy (it existed only for that use)
    assert services.waves_tick(now=NOW)["signals_purged"] == 1
    assert SurveySignal.objects.filter(employee=personas.alice).count() == 0
    # bob answers without consenting: nothing is copied
    services.response_submit(employee=personas.bob, wave=wave, answers=PULSE, now=NOW)
    assert SurveySignal.objects.filter(employee=personas.bob).count() == 0
    assert survey_signals_for(personas.bob) == {}


def test_admin_actions_are_audited(personas, make_pulse):
    survey = make_pulse()
    services.wave_schedule(
        actor=personas.lena.user, survey=survey, opens_at=NOW, closes_at=NOW + dt.timedelta(days=3)
    )
    services.survey_archive(actor=personas.lena.user, survey=survey)
    codes = list(AuditEvent.objects.order_by("id").values_list("code", flat=True))
    assert codes == [
        "trellis.survey.created",
        "trellis.survey.from_template",
        "trellis.survey.audience_set",
        "trellis.survey.wave_scheduled",
        "trellis.survey.archived",
    ]
    assert Wave.objects.filter(survey=survey).count() == 0  # the scheduled wave went with it


def test_numeric_and_text_answers(personas):
    lena = personas.lena.user
    survey = services.survey_create(actor=lena, title="Hours", confidential=False)
    services.question_add(
        actor=lena,
        survey=survey,
        key="hours",
        kind="numeric",
        text="Hours",
        min_value=0,
        max_value=40,
    )
    services.question_add(
        actor=lena, survey=survey, key="why", kind="text", text="Why", required=False
    )
    services.survey_audience_set(actor=lena, survey=survey, rules=[{}])
    wave = open_wave(survey, actor=lena)
    for bad, message in (
        ("nan", "Question 1 “Hours”: give a number."),
        ("lots", "Question 1 “Hours”: give a number."),
        ("41", "Question 1 “Hours”: give a number of at most 40."),
        ("-1", "Question 1 “Hours”: give a number of at least 0."),
    ):
        with pytest.raises(ValidationError) as exc:
            services.response_submit(
                employee=personas.alice, wave=wave, answers={"hours": bad}, now=NOW
            )
        assert exc.value.message_dict == {"hours": [message]}
    with pytest.raises(ValidationError) as exc:
        services.response_submit(
            employee=personas.alice, wave=wave, answers={"hours": "2", "extra": "x"}, now=NOW
        )
    assert exc.value.message_dict == {"extra": ["'extra' is not a question of this survey."]}
    assert Response.objects.count() == 0
    services.response_submit(
        employee=personas.alice, wave=wave, answers={"hours": "2.5", "why": "  busy "}, now=NOW
    )
    assert Response.objects.get().answers == {"hours": 2.5, "why": "busy"}


def test_questions_and_confidentiality_are_frozen_once_a_wave_opened(personas, make_pulse):
    survey = make_pulse()
    lena = personas.lena.user
    services.survey_update(actor=lena, survey=survey, confidential=False)  # no wave yet: fine
    services.survey_update(actor=lena, survey=survey, confidential=True)
    open_wave(survey, actor=lena)
    with pytest.raises(ValidationError) as exc:
        services.survey_update(actor=lena, survey=survey, confidential=False)
    assert exc.value.message_dict == {
        "confidential": ["A survey that has opened cannot change between confidential and not."]
    }
    question = survey.questions.get(key="ai_comfort")
    with pytest.raises(ValidationError):
        services.question_remove(actor=lena, question=question)
    with pytest.raises(ValidationError):
        services.question_add(actor=lena, survey=survey, key="new", kind="text", text="New")
    survey.refresh_from_db()
    assert survey.confidential is True and survey.questions.count() == 13
