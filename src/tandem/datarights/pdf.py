"""The printable summary of an export: toolbox, crisis plan and goals, drawn by WeasyPrint
from a template (no JavaScript, no network: only the template's own CSS)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type hints

from tandem.accounts.models import User
from tandem.toolbox.models import (
    CRISIS_PLAN_SECTIONS,
    CrisisPlan,
    Goal,
    Medication,
    NetworkMember,
)


def build_summary_pdf(user: User) -> bytes:
    plan = CrisisPlan.objects.filter(owner=user).first()
    sections = [
        {"label": label, "text": getattr(plan, key)}
        for key, label, _prompt in CRISIS_PLAN_SECTIONS
        if plan is not None and getattr(plan, key).strip()
    ]
    html = render_to_string(
        "datarights/summary_pdf.html",
        {
            "person": user,
            "made_at": timezone.now(),
            "crisis_plan": sections,
            "goals": list(Goal.objects.filter(owner=user).select_related("domain").order_by("pk")),
            "medications": list(Medication.objects.filter(owner=user).order_by("pk")),
            "network": list(NetworkMember.objects.filter(owner=user).order_by("pk")),
        },
    )
    # base_url None and no external resources: the template embeds everything it needs.
    result: bytes = HTML(string=html).write_pdf()
    return result
