"""The network figures a case carries for its public page."""

from __future__ import annotations

from urgent.cases.models import Case


def case_network_figures_set(*, case_id: int, actions: int, sections: int) -> None:
    """Store what the sections reported in all (called by urgent.federation, which sits
    above cases, when counts arrive). Not an edit: the version and the edit time stay."""
    Case.objects.filter(pk=case_id).update(
        network_actions=max(actions, 0), network_sections=max(sections, 0)
    )
