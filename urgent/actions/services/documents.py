"""PDF documents for a case: a supporter's letters, envelopes, evening packs and faxes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from urgent.actions import selectors
from urgent.actions.letters import FRAMES, Signature, frame_language, letter_compose
from urgent.actions.models import LetterDelivery
from urgent.actions.pdf import LetterPage, envelope_for, envelopes_pdf, letters_pdf, paper_for
from urgent.actions.rendering import letter_page, official_address
from urgent.cases.models import Case, CaseTarget


def _ordered_targets(case: Case) -> list[CaseTarget]:
    return sorted(
        case.targets.all(), key=lambda t: (t.role != CaseTarget.Role.PRIMARY, t.position, t.pk)
    )


def _primary_targets(case: Case) -> list[CaseTarget]:
    targets = _ordered_targets(case)
    primaries = [t for t in targets if t.role == CaseTarget.Role.PRIMARY]
    return primaries or targets


def _default_salutation(case: Case, language: str) -> str:
    primaries = _primary_targets(case)
    return (primaries[0].effective_salutation if primaries else "") or FRAMES[
        frame_language(language)
    ]["salutation"]


def supporter_letters_pdf(
    *, case: Case, subject: str, body: str, language: str, signature: Signature, copies: bool
) -> bytes:
    """The supporter's letter, one page per primary official (and per copy, when asked)."""
    targets = _ordered_targets(case) if copies else _primary_targets(case)
    default = _default_salutation(case, language)
    sender = signature.lines(language)
    pages = [
        letter_page(
            official=t.official,
            salutation=t.effective_salutation,
            default_salutation=default,
            subject=subject,
            body=body,
            language=language,
            sender=sender,
            footer=case.reference,
        )
        for t in targets
    ]
    return letters_pdf(pages=pages, paper=paper_for(signature.country))


def supporter_envelopes_pdf(
    *, case: Case, signature: Signature, copies: bool, envelope: str = ""
) -> bytes:
    """Envelopes in the size asked for (DL, C5, C4, #10), else the usual one in the country."""
    targets = _ordered_targets(case) if copies else _primary_targets(case)
    recipients = [official_address(t.official) for t in targets]
    country = (signature.country or "").upper()
    airmail = any(t.official.country and t.official.country != country for t in targets)
    return envelopes_pdf(
        recipients=recipients,
        sender=signature.lines("en"),
        envelope=envelope_for(country=signature.country, name=envelope),
        airmail=airmail,
    )


def evening_pack_pdf(*, case: Case, count: int, language: str, country: str = "") -> bytes:
    """`count` letters for a letter-writing evening: the model letter, room to add a few
    words by hand and to sign, cycling through the primary officials."""
    source = selectors.letter_source(case=case, language=language)
    letter = letter_compose(source=source, language=language)
    default = _default_salutation(case, language)
    targets = _primary_targets(case)
    labels = [_("Name"), _("City, country"), _("Signature")]
    pages: list[LetterPage] = []
    for i in range(count):
        target = targets[i % len(targets)]
        pages.append(
            letter_page(
                official=target.official,
                salutation=target.effective_salutation,
                default_salutation=default,
                subject=letter.subject,
                body=letter.body,
                language=letter.language,
                sender=[],
                footer=f"{case.reference} · {i + 1}/{count}",
                blank_lines=3,
                signature_lines=labels,
            )
        )
    return letters_pdf(pages=pages, paper=paper_for(country))


def fax_pdf(*, delivery: LetterDelivery) -> bytes:
    action = delivery.action
    target = CaseTarget.objects.filter(
        case_id=delivery.case_id, official_id=delivery.official_id
    ).first()
    salutation = target.effective_salutation if target else ""
    case = selectors.case_for_action(slug=delivery.case.slug) or delivery.case
    default = _default_salutation(case, action.language or "en")
    page = letter_page(
        official=delivery.official,
        salutation=salutation,
        default_salutation=default,
        subject=action.subject,
        body=action.letter,
        language=action.language or "en",
        sender=[action.signature] if action.signature else [],
        footer=f"{delivery.case.reference} · {delivery.uuid}",
        fax=delivery.contact_point.value,
    )
    return letters_pdf(pages=[page], paper=paper_for(delivery.official.country))
