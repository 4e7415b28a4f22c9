"""Survey pages. Each view: parse input, fetch with a permission check, call one service, render.

Learner: /surveys/ (surveys to answer) and /surveys/waves/<id>/ (answer). L&D: /surveys/manage/…
(build, audience, waves, preview; executives and auditors read them). Results:
/surveys/waves/<id>/results/ for org readers (any breakdown, any reporting line) and managers
(their own reporting line only), through the anonymity rules; CSV export audited.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trellis.core.permissions import ORG_READERS, Role, has_role, role_required
from trellis.core.web import form_errors, render_partial
from trellis.people.models import Employee
from trellis.people.selectors import employee_for_user
from trellis.programs.forms import rule_formset
from trellis.surveys import selectors, services
from trellis.surveys.anonymity import ALL, DIMENSION_LABELS
from trellis.surveys.forms import QuestionForm, SectionForm, SurveyForm, WaveForm
from trellis.surveys.models import Question, Survey, Wave
from trellis.surveys.templates_catalog import READINESS_TEMPLATE

#: The only query parameters a results page takes: one dimension and one reporting line.
RESULTS_PARAMS = {"dimension"}


def _me(request: HttpRequest) -> Employee:
    me = employee_for_user(request.user)
    if me is None:
        raise Http404("Only employees answer surveys.")
    return me


# --- learner ------------------------------------------------------------------------------------


def mine(request: HttpRequest) -> HttpResponse:
    """/surveys/: the waves open for the signed-in person, and those they answered."""
    me = _me(request)
    return render(
        request,
        "surveys/mine.html",
        {
            "open": selectors.open_waves_for(me),
            "answered": selectors.answered_waves_for(me),
            "nav_active": "surveys",
        },
    )


def _posted_answers(request: HttpRequest, questions: list[Question]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in questions:
        name = f"q-{q.key}"
        if q.kind == Question.Kind.MULTIPLE:
            answers[q.key] = request.POST.getlist(name)
        else:
            answers[q.key] = request.POST.get(name, "")
    return answers


def answer(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Answer a wave (404 outside its audience). Confidential: once, final; otherwise editable
    until the wave closes."""
    me = _me(request)
    wave = selectors.get_open_wave_for_employee(employee=me, wave_id=wave_id)
    survey = wave.survey
    structure = selectors.survey_structure(survey)
    questions = [q for _, qs in structure for q in qs]
    participation = wave.participations.filter(employee=me).first()
    answered = bool(participation and participation.answered)
    own = selectors.own_response(employee=me, wave=wave)
    values: dict[str, Any] = dict(own.answers) if own else {}
    errors: dict[str, str] = {}
    status = 200
    from trellis.discovery.models import Signal
    from trellis.discovery.personalization import consent_current

    consent = consent_current(employee=me)[Signal.SURVEYS]
    if request.method == "POST":
        values = _posted_answers(request, questions)
        personalize = request.POST.get("personalize") == "on"
        try:
            services.response_submit(
                employee=me,
                wave=wave,
                answers=values,
                personalize=personalize if survey.template == READINESS_TEMPLATE else None,
                actor=request.user,
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            status = 400
        else:
            messages.success(
                request,
                "Thank you: your anonymous answers were recorded."
                if survey.confidential
                else "Thank you: your answers were saved. You can change them until the survey closes.",
            )
            return redirect("surveys:mine")
    keys = {q.key for q in questions}
    return render(
        request,
        "surveys/answer.html",
        {
            "wave": wave,
            "survey": survey,
            "structure": structure,
            "values": values,
            "errors": errors,
            "question_errors": [(k, v) for k, v in errors.items() if k in keys],
            "other_errors": [v for k, v in errors.items() if k not in keys],
            "answered": answered,
            "can_answer": services.wave_is_open(wave) and not (survey.confidential and answered),
            "ask_consent": survey.template == READINESS_TEMPLATE,
            "consent": consent,
            "nav_active": "surveys",
        },
        status=status,
    )


# --- L&D: build ---------------------------------------------------------------------------------


@role_required(*ORG_READERS)
def manage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/manage.html",
        {"surveys": list(selectors.surveys_for_admin()), "nav_active": "surveys_admin"},
    )


@require_POST
@role_required(Role.LD_ADMIN)
def from_template(request: HttpRequest) -> HttpResponse:
    try:
        survey = services.survey_from_template(
            actor=request.user, template=request.POST.get("template", READINESS_TEMPLATE)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("surveys:manage")
    messages.success(request, f"“{survey.title}” created from the template: edit it as you wish.")
    return redirect("surveys:edit", survey_id=survey.pk)


def _survey_page(
    request: HttpRequest,
    survey: Survey | None,
    *,
    form: SurveyForm | None = None,
    rules: Any = None,
    question_form: QuestionForm | None = None,
    section_form: SectionForm | None = None,
    wave_form: WaveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "survey": survey,
        "form": form or SurveyForm(initial=SurveyForm.initial_for(survey) if survey else None),
        "rules": rules if rules is not None else rule_formset(None, program=survey),
        "nav_active": "surveys_admin",
        "can_edit": has_role(request.user, Role.LD_ADMIN),
    }
    if survey is not None:
        from trellis.programs.audience import audience_queryset

        context.update(
            {
                "structure": selectors.survey_structure(survey),
                "question_form": question_form or QuestionForm(survey=survey),
                "section_form": section_form or SectionForm(),
                "wave_form": wave_form or WaveForm(),
                "waves": list(survey.waves.order_by("number")),
                "audience_size": audience_queryset(survey).count() if survey.rules.exists() else 0,
                "locked": survey.waves.exclude(status=Wave.Status.SCHEDULED).exists(),
            }
        )
    return render(request, "surveys/survey_form.html", context, status=status)


def _survey_form(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    if request.method != "POST":
        return _survey_page(request, survey)
    if not has_role(request.user, Role.LD_ADMIN):
        raise PermissionDenied("Only L&D admins change surveys.")
    form = SurveyForm(request.POST)
    adding = "add_rule" in request.POST
    rules = rule_formset(request.POST, program=survey, add=adding)
    if not adding and form.is_valid() and rules.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in services.SURVEY_FIELDS if k != "title"}
        try:
            with transaction.atomic():
                if survey is None:
                    survey = services.survey_create(actor=request.user, title=d["title"], **fields)
                else:
                    survey = services.survey_update(
                        actor=request.user, survey=survey, title=d["title"], **fields
                    )
                chosen = rules.rules()
                services.survey_audience_set(
                    actor=request.user, survey=survey, rules=chosen or [{}]
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"“{survey.title}” saved.")
            return redirect("surveys:edit", survey_id=survey.pk)
    return _survey_page(request, survey, form=form, rules=rules, status=200 if adding else 400)


@role_required(Role.LD_ADMIN)
def create(request: HttpRequest) -> HttpResponse:
    return _survey_form(request, None)


@role_required(*ORG_READERS)
def edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey's page: settings and audience, questions, waves (read-only for executives and
    auditors; L&D edits)."""
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    return _survey_form(request, survey)


def _questions_response(request: HttpRequest, survey: Survey, **forms: Any) -> HttpResponse:
    if getattr(request, "htmx", None):
        return render_partial(
            request,
            "surveys/survey_form.html#questions",
            {
                "survey": survey,
                "structure": selectors.survey_structure(survey),
                "question_form": forms.get("question_form") or QuestionForm(survey=survey),
                "section_form": forms.get("section_form") or SectionForm(),
                "can_edit": True,
                "locked": survey.waves.exclude(status=Wave.Status.SCHEDULED).exists(),
            },
        )
    if forms:
        return _survey_page(request, survey, status=400, **forms)
    return redirect(f"/surveys/manage/{survey.pk}/#questions")


@require_POST
@role_required(Role.LD_ADMIN)
def question_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    form = QuestionForm(request.POST, survey=survey)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.question_add(
                actor=request.user,
                survey=survey,
                key=d["key"].strip(),
                kind=d["kind"],
                text=d["text"],
                section=d["section"],
                help_text=d["help_text"],
                required=d["required"],
                options=services.options_from_text(d["options"]),
                min_value=d["min_value"],
                max_value=d["max_value"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Question added.")
            return _questions_response(request, survey)
    return _questions_response(request, survey, question_form=form)


@require_POST
@role_required(Role.LD_ADMIN)
def section_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    form = SectionForm(request.POST)
    if form.is_valid():
        services.section_add(actor=request.user, survey=survey, **form.cleaned_data)
        messages.success(request, "Section added.")
        return _questions_response(request, survey)
    return _questions_response(request, survey, section_form=form)


def _question(request: HttpRequest, survey_id: int, question_id: int) -> Question:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question.")
    return question


@require_POST
@role_required(Role.LD_ADMIN)
def question_remove(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = _question(request, survey_id, question_id)
    survey = question.survey
    try:
        services.question_remove(actor=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _questions_response(request, survey)


@require_POST
@role_required(Role.LD_ADMIN)
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    question = _question(request, survey_id, question_id)
    try:
        services.question_move(
            actor=request.user, question=question, up=request.POST.get("direction") == "up"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _questions_response(request, question.survey)


@require_POST
@role_required(Role.LD_ADMIN)
def wave_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    form = WaveForm(request.POST)
    if form.is_valid():
        try:
            wave = services.wave_schedule(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"{wave.label} scheduled: it opens {wave.opens_at:%d %b %Y %H:%M}."
            )
            return redirect("surveys:edit", survey_id=survey.pk)
    return _survey_page(request, survey, wave_form=form, status=400)


@require_POST
@role_required(Role.LD_ADMIN)
def archive(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    services.survey_archive(actor=request.user, survey=survey)
    messages.success(request, f"“{survey.title}” is archived; its scheduled waves were removed.")
    return redirect("surveys:manage")


@role_required(*ORG_READERS)
def preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = selectors.get_survey_for_user(user=request.user, survey_id=survey_id)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "structure": selectors.survey_structure(survey),
            "values": {},
            "errors": {},
            "preview": True,
            "can_answer": False,
            "nav_active": "surveys_admin",
        },
    )


# --- results ------------------------------------------------------------------------------------


def _results_query(request: HttpRequest) -> tuple[str, Employee | None]:
    """(dimension, the manager whose line is shown) from the query, scoped to the user: org
    readers get the wave's tables (one dimension); a manager gets their own line's totals only.
    Anything else is refused (400): combined filters could single people out by differencing."""
    unknown = sorted(set(request.GET) - RESULTS_PARAMS)
    if unknown:
        raise ValidationError(
            f"Results take one breakdown (dimension); other filters ({', '.join(unknown)}) are "
            f"not allowed: combined filters could single a person out."
        )
    dimension = request.GET.get("dimension") or ALL
    if dimension not in selectors.BREAKDOWN_DIMENSIONS:
        raise ValidationError(f"dimension: not one of {', '.join(selectors.BREAKDOWN_DIMENSIONS)}.")
    scope, me = selectors.results_scope(request.user)
    if scope == "line":
        if dimension != ALL:
            raise ValidationError(
                "A reporting line's results are its totals only: a breakdown inside it could "
                "single a person out."
            )
        return dimension, me
    return dimension, None


def results(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.get_wave_for_results(user=request.user, wave_id=wave_id)
    try:
        dimension, manager = _results_query(request)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain")
    data = selectors.results(
        wave=wave,
        dimension=dimension,
        line=manager.pk if manager else None,
        with_wave_tables=False,
    )
    return render(
        request,
        "surveys/results.html",
        {
            **data,
            "survey": wave.survey,
            "manager": manager,
            "dimensions": [(d, DIMENSION_LABELS[d]) for d in selectors.BREAKDOWN_DIMENSIONS],
            "is_org": has_role(request.user, *ORG_READERS),
            "is_ld_admin": has_role(request.user, Role.LD_ADMIN),
            "waves": list(wave.survey.waves.order_by("number")),
            "nav_active": "surveys_admin"
            if has_role(request.user, *ORG_READERS)
            else "surveys_team",
        },
    )


def results_csv(request: HttpRequest, wave_id: int) -> HttpResponse:
    """The aggregated, suppressed table as CSV (one row per cell, question and answer). Audited."""
    wave = selectors.get_wave_for_results(user=request.user, wave_id=wave_id)
    try:
        dimension, manager = _results_query(request)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain")
    line = manager.pk if manager else None
    data = selectors.results(wave=wave, dimension=dimension, line=line, with_wave_tables=False)
    services.results_exported(actor=request.user, wave=wave, dimension=dimension, line=line)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{wave.survey_id}-wave-{wave.number}-{dimension}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
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
    )
    for cell in data["cells"]:
        base = [dimension, cell["key"], cell["label"]]
        if cell["suppressed"]:
            writer.writerow([*base, "", "yes", "", "", "", "", "", ""])
            continue
        for q in data["questions"]:
            summary = cell["questions"][q.key]
            for option in summary["options"] or [None]:
                writer.writerow(
                    [
                        *base,
                        cell["respondents"],
                        "no",
                        q.key,
                        option["value"] if option else "",
                        option["label"] if option else "",
                        option["count"] if option else summary["answered"],
                        option["share"] if option else "",
                        summary["mean"] if summary["mean"] is not None else "",
                    ]
                )
    return response


@role_required(Role.MANAGER)
def team(request: HttpRequest) -> HttpResponse:
    """A manager's list of survey waves their reporting line was asked."""
    me = _me(request)
    return render(
        request,
        "surveys/team.html",
        {"waves": selectors.waves_for_manager(me), "nav_active": "surveys_team"},
    )


def _display(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


@role_required(Role.LD_ADMIN)
def named_answers(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Named answers of a survey that is not confidential: L&D only, audited. 404 for a
    confidential survey (there are none)."""
    wave = Wave.objects.select_related("survey").filter(pk=wave_id).first()
    if wave is None or wave.survey.confidential:
        raise Http404("No named answers.")
    services.named_answers_viewed(actor=request.user, wave=wave)
    questions = list(wave.survey.questions.order_by("position", "id"))
    rows = [
        (r, [_display(r.answers.get(q.key, "")) for q in questions])
        for r in selectors.named_responses(wave)
    ]
    return render(
        request,
        "surveys/named_answers.html",
        {"wave": wave, "questions": questions, "rows": rows, "nav_active": "surveys_admin"},
    )
