"""Reform office outputs in the browser: the PDF report (direct or as a background job with
progress), the 照会票 workbooks, and the upload → preview → confirm import of filled ones.

Plans are fetched through evaluations.access, by the same rule as the round pages (a plan of
another city: 404; one the user sees but does not manage: 403); the import decides row by row,
through the same reach and workflow as the edit page, which rows the user may change. Every
page works without JavaScript; htmx polls the job status and swaps the preview.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evaluations import access, import_uploads, published, services, workbooks
from evaluations.models import Round
from evaluations.reports import jobs
from initiatives.access import manages_plan, reach_of
from initiatives.models import Department, Plan

INVALID = 422


@login_required
@require_GET
def office(request):
    """The reform office's outputs: per plan, each published year's report and each round's
    照会票 (whole, or per department). Whoever may not manage rounds gets 403, as on the
    office's round pages: department staff find their own 照会票 on the import page."""
    access.require_round_manager(request.user)
    plans = list(Plan.objects.managed_by(request.user).select_related("municipality"))
    publications = published.current_publications(p.pk for p in plans)
    sizes = published.summaries_of(publications)
    rounds = Round.objects.filter(plan__in=plans).order_by("-as_of")
    departments = Department.objects.filter(
        municipality_id__in={p.municipality_id for p in plans}
    ).order_by("code")
    rows = []
    for plan in plans:
        years = sorted(
            {p.round.fiscal_year for p in publications if p.round.plan_id == plan.pk}, reverse=True
        )
        rows.append(
            {
                "plan": plan,
                "years": [
                    {
                        "fiscal_year": fy,
                        "background": _is_large(plan, fy, publications, sizes),
                    }
                    for fy in years
                ],
                "rounds": [r for r in rounds if r.plan_id == plan.pk],
                "departments": [
                    d for d in departments if d.municipality_id == plan.municipality_id
                ],
            }
        )
    return render(request, "evaluations/reports/office.html", {"rows": rows})


def _is_large(plan, fiscal_year, publications, sizes) -> bool:
    for publication in publications:
        if publication.round.plan_id == plan.pk and publication.round.fiscal_year == fiscal_year:
            return sizes[publication.pk].checked > settings.REPORT_BACKGROUND_THRESHOLD
    return False


@login_required
@require_GET
def report_pdf(request, slug, fiscal_year):
    # Imported by the views that make or name a PDF: the URLconf, which every system check
    # imports, needs none of the report's layout and parts (0.03 s of a command's start).
    from evaluations.reports import pdf

    plan = access.plan_for_manager(request.user, slug)
    try:
        data = pdf.render_pdf(plan, fiscal_year)
    except pdf.ReportError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(plan, fiscal_year)}"'
    return response


@login_required
@require_POST
def report_job_start(request, slug, fiscal_year):
    plan = access.plan_for_manager(request.user, slug)
    if not plan.covers_fiscal_year(fiscal_year):
        raise Http404
    job_id = jobs.start(user=request.user, plan=plan, fiscal_year=fiscal_year)
    return redirect("reports:job", job_id=job_id)


def _own_job(request, job_id: str):
    job = jobs.read(job_id)
    if job is None or job.requested_by_id != request.user.pk:
        raise Http404
    return job


@login_required
@require_GET
def report_job(request, job_id):
    job = _own_job(request, job_id)
    template = "evaluations/reports/job.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"job": job, "job_id": job.pk})


@login_required
@require_GET
def report_job_download(request, job_id):
    from evaluations.reports import pdf  # as in report_pdf

    job = _own_job(request, job_id)
    file = jobs.open_pdf(job)
    if file is None:
        raise Http404
    return FileResponse(file, as_attachment=True, filename=pdf.filename(job.plan, job.fiscal_year))


@login_required
@require_GET
def round_workbook(request, pk):
    """A round's 照会票: the office gets any department's (or all); staff get their own
    department's rows only."""
    round_ = get_object_or_404(access.rounds_for(request.user), pk=pk)
    code = request.GET.get("department", "")
    department = None
    if code:
        department = get_object_or_404(
            Department, municipality_id=round_.plan.municipality_id, code=code
        )
    if not manages_plan(request.user, round_.plan):
        reach = reach_of(request.user)
        own = Department.objects.filter(
            pk__in=reach.departments, municipality_id=round_.plan.municipality_id
        ).order_by("code")
        if department is None:
            department = own.first()
        if department is None or department.pk not in reach.departments:
            raise Http404
    data = workbooks.export_round(round_, department)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{workbooks.filename(round_, department)}"'
    )
    return response


# --- import: upload → preview → confirm ---------------------------------------------------------


def _session_key(token: str) -> str:
    return f"workbook-import:{token}"


EXPIRED = (
    "取り込むファイルの保存期間（%(hours)d時間）が過ぎたか、既に取り込まれています。"
    "もう一度アップロードしてください。"
)


def _with_upload(view):
    """Hands ``view`` the user's own stored upload, as parsed at upload time (the file is not
    read again). Another user's token is 404; an upload no longer kept sends the user back to
    the import page with a message."""

    @wraps(view)
    def wrapper(request, token):
        info = request.session.get(_session_key(token)) if token.isalnum() else None
        if info is None:
            raise Http404
        parsed = import_uploads.read(token)
        if parsed is None:
            messages.error(request, EXPIRED % {"hours": settings.IMPORT_UPLOAD_MAX_AGE_HOURS})
            return redirect("reports:import")
        return view(request, token, parsed)

    return wrapper


def _max_mb() -> int:
    """The upload limit in MB, as every state of the import page names it (「10MBまで」)."""
    return settings.IMPORT_MAX_UPLOAD_BYTES // 1024 // 1024


def _rejected(request, problems):
    return render(
        request,
        "evaluations/reports/import.html",
        {"problems": problems, "rounds": [], "max_mb": _max_mb()},
        status=INVALID,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    rounds = access.rounds_for(request.user).filter(state="open").order_by("-as_of")
    max_bytes = settings.IMPORT_MAX_UPLOAD_BYTES
    context = {"rounds": rounds, "max_mb": _max_mb()}
    if request.method == "GET":
        return render(request, "evaluations/reports/import.html", context)
    upload = request.FILES.get("file")
    problems = []
    if upload is None:
        problems = [workbooks.Problem("ファイルを選んでください。")]
    elif upload.size > max_bytes:
        problems = [workbooks.Problem(f"ファイルが大きすぎます（上限 {context['max_mb']}MB）。")]
    else:
        try:
            parsed = workbooks.parse(upload.read(), filename=upload.name)
            preview = workbooks.preview_of(parsed, user=request.user)
        except workbooks.ImportRejected as exc:
            problems = exc.problems
    if problems:
        context["problems"] = problems
        template = "evaluations/reports/import.html"
        if request.htmx:
            template += "#result"
        return render(request, template, context, status=INVALID)
    token = import_uploads.store(parsed)
    request.session[_session_key(token)] = {"filename": upload.name}
    if request.htmx:
        return render(
            request,
            "evaluations/reports/import.html#result",
            {**context, "preview": preview, "token": token},
        )
    return redirect("reports:import_preview", token=token)


@login_required
@require_GET
@_with_upload
def import_preview(request, token, parsed):
    try:
        preview = workbooks.preview_of(parsed, user=request.user)
    except workbooks.ImportRejected as exc:
        return _rejected(request, exc.problems)
    return render(
        request,
        "evaluations/reports/import.html",
        {"preview": preview, "token": token, "rounds": [], "max_mb": _max_mb()},
    )


@login_required
@require_POST
@_with_upload
def import_confirm(request, token, parsed):
    try:
        preview = workbooks.import_parsed(parsed, user=request.user)
    except workbooks.ImportRejected as exc:
        return _rejected(request, exc.problems)
    except services.Conflict:
        messages.error(
            request, "取込中にほかの人が回答を更新しました。もう一度取り込んでください。"
        )
        return redirect("reports:import")
    import_uploads.discard(token)
    request.session.pop(_session_key(token), None)
    counts = f"{len(preview.changes)}件変更、{preview.unchanged}件変更なし"
    if preview.indicator_changes:
        # An import that changes only actuals must not read as 「0件変更」.
        counts += f"。指標の実績{len(preview.indicator_changes)}件変更"
    messages.success(request, f"{parsed.filename} を取り込みました（{counts}）。")
    return redirect("reports:import")
