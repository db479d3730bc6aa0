"""Report-card pages: staff (frameworks, runs, compare, preview, publish) and public (cards,
lists, downloads). Each view parses input, calls one service or selector, renders."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from playbook.accounts.access import office_staff, public
from playbook.core.csv_safe import csv_neutralise, csv_writer
from playbook.core.forms import errors_to_form, errors_to_page
from playbook.core.jobs import JobStatus
from playbook.core.params import ascii_int
from playbook.studentdata.selectors import snapshot_current
from playbook.ui.templatetags.charts import chart_key

from . import reportcard_selectors as sel
from .models import ReportCardFramework
from .reportcards import (
    ReportCardError,
    framework_copy_create,
    framework_engine,
    publication_publish,
    publication_withdraw,
    report_card_files,
    report_card_run_start,
)

RESULT_COLUMNS = ["framework", "entity_type", "entity_id", "year", "subgroup", "component",
                  "metric", "n", "value", "level", "suppressed", "value_suppressed"]
#: what a card shows for a percent hidden to protect a small group (decision 0009)
VALUE_SUPPRESSED_TEXT = "Not shown (protects a small group)"


# ----------------------------------------------------------------------------------------------
# Forms (parse only; the rules are the engine's and the services')


class RunStartForm(forms.Form):
    framework = forms.ModelChoiceField(label="Framework version",
                                       queryset=ReportCardFramework.objects.all())
    engine = forms.ChoiceField(label="Engine", choices=[("duckdb", "DuckDB (one machine)"),
                                                        ("spark", "Apache Spark")])


class CompareForm(forms.Form):
    other = forms.ModelChoiceField(label="Compare with run", queryset=sel.succeeded_runs(),
                                   help_text="Usually the published run of the same framework.")


class PublishForm(forms.Form):
    school_year = forms.TypedChoiceField(label="School year to publish", coerce=int, choices=[])

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = [(y, f"{y - 1}-{y % 100:02d}") for y in years]  # type: ignore[attr-defined]


def _cut_field(component: str, metric: str, level: str) -> str:
    return f"cut__{component}__{metric}__{level}"


class FrameworkCopyForm(forms.Form):
    note = forms.CharField(label="What changed and why", max_length=300)

    def __init__(self, *args: Any, framework: ReportCardFramework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fw = framework_engine(framework=framework)
        self.engine_framework = fw
        for comp in fw.components:
            for m in comp.metrics:
                for lv in fw.levels[1:]:
                    if lv.id not in m.cuts:
                        continue
                    self.fields[_cut_field(comp.id, m.id, lv.id)] = forms.FloatField(
                        label=f"{comp.title}: {m.title}: {lv.label} from",
                        initial=m.cuts[lv.id],
                        help_text=("Values at or above this reach the level." if
                                   m.direction == "higher" else
                                   "Values at or below this reach the level."),
                    )

    def cuts(self) -> dict[str, float]:
        out = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("cut__"):
                _, comp, metric, level = name.split("__")
                out[f"{comp}.{metric}.{level}"] = value
        return out

    def add_engine_error(self, path: str, message: str) -> None:
        """Put the engine's error (``components[1].metrics[0].cuts.exemplary``) on its field."""
        m = re.search(r"components\[(\d+)\]\.metrics\[(\d+)\]\.cuts\.(\w+)", path)
        fw = self.engine_framework
        if m:
            comp = fw.components[int(m.group(1))]
            metric = comp.metrics[int(m.group(2))]
            name = _cut_field(comp.id, metric.id, m.group(3))
            if name in self.fields:
                self.add_error(name, message)
                return
        self.add_error(None, f"{path}: {message}")


# ----------------------------------------------------------------------------------------------
# Staff


@office_staff
def rc_staff_home(request: HttpRequest) -> HttpResponse:
    form = RunStartForm(request.POST or None)
    if request.method == "POST":
        snapshot = snapshot_current()
        if snapshot is None:
            form.add_error(None, "There is no student-data snapshot yet; import data first.")
        elif form.is_valid():
            try:
                run = report_card_run_start(snapshot=snapshot, by=request.user, **form.cleaned_data)
            except ReportCardError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Report-card run #{run.pk} is "
                                 f"{run.get_status_display().lower()}.")
                return redirect("evidence:rc_run", pk=run.pk)
    return render(request, "evidence/reportcards/home.html", {
        "form": form, "frameworks": sel.framework_list(),
        "runs": sel.report_card_run_list()[:50], "publications": sel.publications_current(),
    })


@office_staff
def rc_framework(request: HttpRequest, pk: int) -> HttpResponse:
    framework = sel.framework_get(pk=pk)
    form = FrameworkCopyForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        from playbook.analytics.reportcards import FrameworkError

        try:
            copy = framework_copy_create(framework=framework, cuts=form.cuts(),
                                         note=form.cleaned_data["note"], by=request.user)
        except FrameworkError as exc:
            form.add_engine_error(exc.path, exc.message)
        else:
            messages.success(request, f"Saved {copy}. Run it, then compare it with the "
                             "published version before publishing.")
            return redirect("evidence:rc_framework", pk=copy.pk)
    fw = form.engine_framework
    metrics = [{"component": c.title, "title": m.title,
                "cuts": sel.cut_points_plain(metric=m, framework=fw),
                "weight": m.weight} for c, m in fw.metrics()]
    changes = []
    if framework.based_on is not None:
        from playbook.analytics.reportcards import framework_diff

        changes = framework_diff(old=framework_engine(framework=framework.based_on), new=fw)
    return render(request, "evidence/reportcards/framework.html", {
        "framework": framework, "fw": fw, "form": form, "metrics": metrics, "changes": changes,
        "published": sel.framework_used_by_publication(framework=framework),
    })


@office_staff
def rc_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = sel.report_card_run_get(pk=pk)
    years = sel.run_years(run=run) if run.status == JobStatus.SUCCEEDED else []
    year = max(years) if years else None
    compare_form = CompareForm(request.GET or None)
    compare_form.fields["other"].queryset = sel.succeeded_runs().exclude(pk=run.pk)  # type: ignore[attr-defined]
    comparison = None
    if run.status == JobStatus.SUCCEEDED and "other" in request.GET and compare_form.is_valid():
        comparison = sel.report_card_run_compare(old=compare_form.cleaned_data["other"], new=run)
    samples = []
    if year is not None:
        samples = sel.published_ratings(publication=_fake_pub(run, year), sort="name")[:40]
    return render(request, "evidence/reportcards/run.html", {
        "run": run, "years": years, "year": year,
        "counts": sel.run_rating_counts(run=run, year=year) if year else [],
        "compare_form": compare_form, "comparison": comparison,
        "changed": sum(1 for r in comparison or [] if r["rating_changed"]),
        "publish_form": PublishForm(years=years, initial={"school_year": year}),
        "samples": samples,
    })


def _fake_pub(run: Any, year: int) -> Any:
    from .models import ReportCardPublication

    return ReportCardPublication(run=run, school_year=year, framework_slug=run.framework.slug)


@office_staff
def rc_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff preview of what publishing a year will show, then the publish button."""
    run = sel.report_card_run_get(pk=pk)
    if run.status != JobStatus.SUCCEEDED:
        raise Http404("This run has no results to publish.")
    years = sel.run_years(run=run)
    form = PublishForm(request.POST or request.GET or None, years=years)
    if not form.is_valid():
        messages.error(request, "Choose a school year the run rated.")
        return redirect("evidence:rc_run", pk=run.pk)
    year = form.cleaned_data["school_year"]
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            publication_publish(run=run, school_year=year, by=request.user)
        except ReportCardError as exc:
            errors_to_page(request, exc)
            return redirect("evidence:rc_run", pk=run.pk)
        messages.success(request, f"Published {run.framework.name} report cards for {year}.")
        return redirect("evidence:rc_public_index")
    current = sel.publication_current(framework_slug=run.framework.slug, school_year=year)
    comparison = (sel.report_card_run_compare(old=current.run, new=run)
                  if current is not None and current.run_id != run.pk else [])
    return render(request, "evidence/reportcards/publish.html", {
        "run": run, "year": year, "form": form, "current": current,
        "counts": sel.run_rating_counts(run=run, year=year),
        "changes": [r for r in comparison if r["rating_changed"] and r["year"] == year],
        "samples": sel.published_ratings(publication=_fake_pub(run, year), sort="name")[:40],
    })


@office_staff
def rc_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Office staff take a year's current report cards off the public pages (POST only)."""
    from .models import ReportCardPublication

    if request.method != "POST":
        return redirect("evidence:rc_staff")
    pub = get_object_or_404(ReportCardPublication, pk=pk)
    try:
        publication_withdraw(publication=pub, by=request.user)
    except ReportCardError as exc:
        errors_to_page(request, exc)
    else:
        messages.success(request, f"Withdrew the {pub.framework_slug} report cards for "
                         f"{pub.school_year}: the public pages no longer show them.")
    return redirect("evidence:rc_run", pk=pub.run_id)


@office_staff
def rc_preview_card(request: HttpRequest, pk: int, entity_type: str,
                    entity_id: str) -> HttpResponse:
    run = sel.report_card_run_get(pk=pk)
    years = sel.run_years(run=run)
    year = ascii_int(request.GET.get("year")) or (max(years) if years else 0)
    card = sel.card_build(run=run, entity_type=entity_type, entity_id=entity_id, year=year)
    return render(request, "public/reportcards/card.html", {"card": card, "preview": True})


# ----------------------------------------------------------------------------------------------
# Public


@public
def rc_public_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    pubs = sel.publications_current()
    latest: dict[str, Any] = {}
    for pub in pubs:
        latest.setdefault(pub.framework_slug, pub)
    frameworks = [{"pub": pub, "fw": framework_engine(framework=pub.run.framework),
                   "years": sel.published_years(framework_slug=slug)}
                  for slug, pub in latest.items()]
    results = sel.entity_search(query=query) if query else []
    return render(request, "public/reportcards/index.html", {
        "frameworks": frameworks, "query": query, "results": results,
    })


def _published_card(framework: str, entity_type: str, entity_id: str,
                    request: HttpRequest) -> sel.Card:
    year = ascii_int(request.GET.get("year"))
    return sel.published_card(framework_slug=framework, entity_type=entity_type,
                              entity_id=entity_id, school_year=year)


@public
def rc_card(request: HttpRequest, framework: str, entity_type: str, entity_id: str
            ) -> HttpResponse:
    card = _published_card(framework, entity_type, entity_id, request)
    return render(request, "public/reportcards/card.html", {
        "card": card, "preview": False,
        "years": sel.published_years(framework_slug=framework),
    })


def _download_name(card: sel.Card, ext: str) -> str:
    return (f"report-card-{card.run.framework.slug}-{card.rating.entity_type}-"
            f"{card.rating.entity_id}-{card.year}.{ext}")


@public
def rc_card_csv(request: HttpRequest, framework: str, entity_type: str, entity_id: str
                ) -> HttpResponse:
    card = _published_card(framework, entity_type, entity_id, request)
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\n")
    w.writerow(RESULT_COLUMNS)
    for row in card.export_rows():
        w.writerow([_csv_value(row[c]) for c in RESULT_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(card, "csv")}"'
    return response


def _csv_value(x: Any) -> Any:
    """A float as the card shows it (a number still, so ``csv_cell`` leaves a negative alone)."""
    if isinstance(x, float) and not isinstance(x, bool):
        return Decimal(int(x)) if x.is_integer() else Decimal(f"{x:.1f}")
    return x


@public
def rc_card_json(request: HttpRequest, framework: str, entity_type: str, entity_id: str
                 ) -> HttpResponse:
    card = _published_card(framework, entity_type, entity_id, request)
    r = card.rating
    doc = {
        "framework": card.framework.name, "framework_title": card.framework.title,
        "framework_version": card.run.framework.version, "snapshot": card.run.snapshot_id,
        "code_version": card.run.code_version, "min_n": card.min_n,
        "entity": {"type": r.entity_type, "id": r.entity_id, "name": r.entity_name},
        "year": card.year,
        "ratings": [{"year": t.year, "rating": t.rating,
                     "score": None if t.points is None else float(t.points),
                     "score_change": None if t.points_change is None else float(t.points_change),
                     "context": t.context} for t in card.trend],
        "cells": card.export_rows(),
    }
    response = JsonResponse(doc, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{_download_name(card, "json")}"'
    return response


@public
def rc_card_pdf(request: HttpRequest, framework: str, entity_type: str, entity_id: str
                ) -> HttpResponse:
    card = _published_card(framework, entity_type, entity_id, request)
    response = HttpResponse(card_pdf(card=card), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_download_name(card, "pdf")}"'
    return response


class RatingsFilterForm(forms.Form):
    entity_type = forms.ChoiceField(label="Show", required=False, choices=[])
    rating = forms.ChoiceField(label="Rating", required=False, choices=[])
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[
        ("rating", "Rating, best first"), ("name", "Name"), ("change", "Change from last year")])


@public
def rc_ratings_list(request: HttpRequest, framework: str) -> HttpResponse:
    """Every rated entity of a published framework, sorted and filterable by rating."""
    pub = sel.publication_current(framework_slug=framework,
                                  school_year=ascii_int(request.GET.get("year")))
    if pub is None:
        raise Http404("No published report cards for this framework.")
    fw = framework_engine(framework=pub.run.framework)
    form = RatingsFilterForm(request.GET or None)
    form.fields["entity_type"].choices = [("", "All")] + [  # type: ignore[attr-defined]
        (t, sel.ENTITY_LABELS.get(t, t) + "s") for t in fw.entity_types]
    form.fields["rating"].choices = [("", "Any rating")] + [  # type: ignore[attr-defined]
        (b.label, b.label) for b in fw.rating.bands] + [
        (fw.rating.not_rated_label, fw.rating.not_rated_label)]
    data = form.cleaned_data if form.is_valid() else {}
    rows = sel.published_ratings(
        publication=pub, entity_types=[data["entity_type"]] if data.get("entity_type") else None,
        rating=data.get("rating", ""), sort=data.get("sort") or "rating")
    return render(request, "public/reportcards/list.html", {
        "pub": pub, "fw": fw, "form": form, "rows": rows,
        "years": sel.published_years(framework_slug=framework),
    })


@public
def rc_how(request: HttpRequest, framework: str) -> HttpResponse:
    """How a published framework turns students' results into a rating, in plain words, with
    the framework's own numbers (the version of its latest published year)."""
    from .reportcard_words import rating_scale

    pub = sel.publication_current(framework_slug=framework)
    if pub is None:
        raise Http404("No published report cards for this framework.")
    fw = framework_engine(framework=pub.run.framework)
    components = [{
        "c": comp, "share": round(100 * comp.weight / (sum(c.weight for c in fw.components)
                                                       or 1)),
        "metrics": [{"m": m, "cuts": sel.cut_points_plain(metric=m, framework=fw),
                     "min_n": max(m.min_n, pub.run.min_n),
                     "groups": ", ".join(sel.SUBGROUP_LABELS.get(g, g)
                                         for g in m.rated_subgroups)}
                    for m in comp.metrics],
    } for comp in fw.components]
    return render(request, "public/reportcards/how.html", {
        "pub": pub, "fw": fw, "components": components, "min_n": pub.run.min_n,
        "scale": rating_scale(framework=fw, current=""),
        "entity_types": [sel.ENTITY_LABELS.get(t, t).lower() + "s" for t in fw.entity_types],
        "max_points": max(lv.points for lv in fw.levels),
    })


@public
def rc_published_file(request: HttpRequest, framework: str, year: int, name: str
                      ) -> HttpResponse:
    """The published run's results.csv / ratings.csv: the same file the command line writes."""
    pub = sel.publication_current(framework_slug=framework, school_year=year)
    if pub is None or name not in ("results", "ratings"):
        raise Http404("No such published file.")
    path = report_card_files(run=pub.run)[name]
    response = HttpResponse(csv_neutralise(path.read_text(encoding="utf-8")),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{framework}-{pub.run.framework.version}-run{pub.run_id}-'
        f'{name}.csv"')
    return response


def suppressed_text(min_n: int) -> str:
    return (f"Not shown: fewer than {min_n} students, or hidden so that a small group "
            "cannot be worked out")


def _fmt_value(cell: Any, unit: str) -> str:
    if cell is None:
        return "no data"
    if cell.suppressed:
        return suppressed_text(0).split(":")[0]
    if getattr(cell, "value_suppressed", False):
        return VALUE_SUPPRESSED_TEXT
    if cell.value is None:
        return "no value"
    v = f"{cell.value:g}" if cell.value == int(cell.value) else f"{cell.value}"
    return v + sel.UNITS.get(unit, "")


def card_pdf(*, card: sel.Card) -> bytes:
    """A printable PDF of the card: rating, context, components, metrics and cut points, with
    the same suppression as the page."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buf = io.BytesIO()
    r = card.rating
    doc = SimpleDocTemplate(buf, pagesize=letter, title=f"{r.entity_name} report card {card.year}",
                            leftMargin=0.6 * inch, rightMargin=0.6 * inch)
    story: list[Any] = [
        Paragraph(escape(f"{r.entity_name or r.entity_id}: report card {card.year - 1}-"
                         f"{card.year % 100:02d}"), styles["Title"]),
        Paragraph(escape(f"{card.framework.title} (version {card.run.framework.version}). "
                         f"{card.entity_label} {r.entity_id}."), styles["BodyText"]),
        Paragraph(escape(f"Overall rating: {r.rating}" + (
            f" (score {r.points} of 100)" if r.points is not None else "")), styles["Heading2"]),
    ]
    ctx = r.context or {}
    if r.points is None and ctx.get("not_rated_reason"):
        story.append(Paragraph(escape(str(ctx["not_rated_reason"])), styles["BodyText"]))
    story += _pdf_summary(card=card, styles=styles, small=small)
    ctx_rows = [["Context", "Value"]]
    for key, label in (("enrollment", "Students"), ("pct_econ_disadvantaged",
                       "Economically disadvantaged (%)"), ("pct_disability",
                       "Students with disabilities (%)"), ("pct_english_learner",
                       "English learners (%)"), ("implementation_year", "Year using the model"),
                       ("locale", "Locale code")):
        if ctx.get(key) is not None:
            ctx_rows.append([label, str(ctx[key])])
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])
    if len(ctx_rows) > 1:
        story += [Table(ctx_rows, style=grid), Spacer(1, 8)]
    for comp in card.components:
        score = comp["score"]
        title = comp["title"] + (f": score {score.value} of 100" if score is not None
                                 and score.value is not None else "")
        story.append(Paragraph(escape(title), styles["Heading3"]))
        rows: list[list[Any]] = [["Metric", "Students", "Value", "Level", "Cut points"]]
        for m in comp["metrics"]:
            c = m.cell
            if c is not None and c.suppressed:
                rows.append([Paragraph(escape(m.title), small), "",
                             Paragraph(escape(suppressed_text(card.min_n)), small), "",
                             Paragraph(escape(m.cuts_plain), small)])
                continue
            level = (getattr(c, "level_label", c.level) if c is not None and c.level else
                     getattr(c, "no_level_reason", "") if c is not None else "")
            rows.append([Paragraph(escape(m.title), small),
                         "" if c is None or c.n is None else str(c.n),
                         _fmt_value(c, m.unit),
                         Paragraph(escape(level[:1].upper() + level[1:]), small),
                         Paragraph(escape(m.cuts_plain), small)])
        story += [Table(rows, colWidths=[2.0 * inch, 0.7 * inch, 1.0 * inch, 0.9 * inch,
                                         2.6 * inch], style=grid, repeatRows=1), Spacer(1, 6)]
    story.append(Paragraph(escape(
        f"Groups of fewer than {card.min_n} students are never shown, nor any number that "
        f"would let a reader work one out. Snapshot {card.run.snapshot_id}, run "
        f"{card.run.pk}, {card.run.code_version}."), small))
    doc.build(story)
    return buf.getvalue()


def _pdf_summary(*, card: sel.Card, styles: Any, small: Any) -> list[Any]:
    """The page's summary in the PDF: what the rating means, the scale with every level, the
    comparison, the component scores, and the trend chart drawn to scale."""
    from xml.sax.saxutils import escape

    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    r = card.rating
    out: list[Any] = []
    if card.rating_sentence:
        out.append(Paragraph(escape(card.rating_sentence), styles["BodyText"]))
    scale = [["Rating", "Score", ""]] + [
        [step.label, step.range_text, f"this {card.entity_label.lower()}" if step.current else ""]
        for step in card.scale]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]
    for i, step in enumerate(card.scale, start=1):
        if step.current:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#e7f2f5")))
            style.append(("FONTNAME", (0, i), (-1, i), "Helvetica-Bold"))
    out += [Spacer(1, 4), Table(scale, style=TableStyle(style), hAlign="LEFT"), Spacer(1, 6)]
    compare = [f"This {card.entity_label.lower()}: {r.rating}"
               + (f", {r.points}" if r.points is not None else "")]
    if card.district is not None:
        compare.append(f"Its district, {card.district.entity_name}: {card.district.rating}"
                       + (f", {card.district.points}" if card.district.points is not None
                          else ""))
    st = card.state
    if st:
        compare.append(f"The state: {st['rated']} {card.entity_label.lower()}s are rated; the "
                       f"middle score is {st['median']}."
                       + (f" This {card.entity_label.lower()} scored higher than {st['lower']} "
                          "of them." if st.get("lower") is not None else ""))
    for line in compare:
        out.append(Paragraph(escape(line), styles["BodyText"]))
    for comp in card.rated_components:
        score = comp["score"]
        text = (f"{score.value} out of 100, counting for {comp['share']}% of the rating"
                if score is not None and score.value is not None
                else "not rated this year" if comp["metrics"] else "does not apply here")
        out.append(Paragraph(escape(f"{comp['title']}: {text}"), small))
    chart = card.trend_chart
    if any(row.value is not None for row in chart.rows):
        width, label_w, bar_h, gap = 5.5 * inch, 0.6 * inch, 10, 4
        track = width - label_w - 0.6 * inch
        height = len(chart.rows) * (bar_h + gap) + 28
        d = Drawing(width, height)
        y = height - 14
        for ref in chart.refs:
            x = label_w + track * float(ref.value) / 100
            d.add(String(x, y + 2, f"{float(ref.value):g}", fontSize=7, textAnchor="middle"))
        for row in chart.rows:
            y -= bar_h + gap
            d.add(String(0, y + 2, row.label, fontSize=8))
            d.add(Rect(label_w, y, track, bar_h, fillColor=colors.HexColor("#f0f0f0"),
                       strokeColor=None))
            if row.value is not None:
                d.add(Rect(label_w, y, track * min(float(row.value), 100) / 100, bar_h,
                           fillColor=colors.HexColor("#005ea2"), strokeColor=None))
            d.add(String(label_w + track + 4, y + 2, row.text, fontSize=8))
        for ref in chart.refs:
            x = label_w + track * float(ref.value) / 100
            d.add(Line(x, y - 2, x, height - 14, strokeDashArray=[2, 2], strokeWidth=0.8))
        for tick in chart.ticks:
            x = label_w + track * tick / 100
            d.add(String(x, y - 12, f"{tick:g}", fontSize=7, textAnchor="middle"))
        out += [Spacer(1, 6), Paragraph("Overall score by year, out of 100", styles["Heading3"]),
                d, Paragraph(escape(chart_key(chart)), small)]
        trend = [["Year", "Rating", "Score"]] + [
            [str(t.year), t.rating, "" if t.points is None else str(t.points)]
            for t in card.trend]
        out.append(Table(trend, style=TableStyle(style[:2]), hAlign="LEFT"))
    out.append(Spacer(1, 8))
    return out


def card_url(framework: str, entity_type: str, entity_id: str) -> str:
    return reverse("evidence:rc_card", args=[framework, entity_type, entity_id])


__all__ = ["card_url", "json"]
