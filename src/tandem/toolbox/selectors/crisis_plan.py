"""The crisis plan and its sections with their prompts."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.accounts.models import User
from tandem.toolbox.models import CRISIS_PLAN_SECTIONS, CrisisPlan


def crisis_plan_for_owner(owner: User) -> CrisisPlan | None:
    return CrisisPlan.objects.filter(owner=owner).first()


@dataclass(frozen=True)
class PlanSection:
    key: str
    title: str
    prompt: str
    text: str

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def crisis_plan_sections(plan: CrisisPlan | None) -> list[PlanSection]:
    return [
        PlanSection(
            key=key,
            title=str(title),
            prompt=str(prompt),
            text=getattr(plan, key) if plan is not None else "",
        )
        for key, title, prompt in CRISIS_PLAN_SECTIONS
    ]
