"""Layouts the reader was not first built on: each test is one generalisation, on invented text.

Every name, address and number below is invented.
"""

from __future__ import annotations

from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.parsing.dates import post_line_date
from urgent.ingest.parsing.lines import is_junk, is_primary_heading
from urgent.ingest.parsing.text import find_dates

LETTER_TOP = """Monsieur le Ministre de la Justice
Ousmane Hamani Garba
Ministère de la Justice
BP 466 Niamey
Niger
Télécopie : +227 20 72 55 10
Monsieur le Ministre,
Je vous demande de libérer immédiatement le journaliste Idrissa Kanté Bello.
Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma haute considération.
"""


def test_name_on_the_line_below_a_styled_office():
    target = parse_case_sheet(LETTER_TOP).targets[0]
    assert (target.honorific, target.title, target.name) == (
        "Monsieur",
        "Ministre de la Justice",
        "Ousmane Hamani Garba",
    )
    assert target.address_lines == ["Ministère de la Justice", "BP 466 Niamey", "Niger"]


def test_persons_own_style_wins_over_the_office_line():
    text = (
        "LLAMAMIENTOS A:\nSr. Presidente de la Republica\nDr. Ernesto Salas Lozano\n"
        "Palacio de Gobierno, Carrera 8 No.7-26\nBogota, Colombia\nFax: + 57 1 555 7434\n\n"
        "Pidan la protección de Marta Elena Rojas.\n"
    )
    target = parse_case_sheet(text).targets[0]
    assert (target.honorific, target.title, target.name) == (
        "Dr.",
        "Presidente de la Republica",
        "Ernesto Salas Lozano",
    )


def test_unsigned_model_letter_is_a_section_appeal_and_a_signed_one_is_not():
    assert parse_case_sheet(LETTER_TOP).kind == "initial"
    signed = LETTER_TOP + "Réseau des défenseurs du Sahel (exemple)\n"
    assert parse_case_sheet(signed).kind == "other_org"


def test_every_number_has_its_dialable_form_next_to_the_printed_one():
    text = (
        "Write to:\nMinister of Justice\nKeut Sovannarith\nNo. 240, Sothearos Blvd\n"
        "Phnom Penh, Cambodia\nFax: +855 23 555 016\n\nAnd copy:\nEmbassy of Cambodia\n"
        "64 Brondesbury Park, London NW6 7AT\nUnited Kingdom\nTel: 020 7946 0850\n\n"
        "Dear Minister,\nI call on you to release Sok Chanthy immediately.\n"
    )
    primary, copy = parse_case_sheet(text).targets
    assert primary.faxes == ["+855 23 555 016"]
    assert primary.dial == {"+855 23 555 016": "+85523555016"}
    # printed without its country prefix: read in the country of the address
    assert copy.phones == ["020 7946 0850"]
    assert copy.dial == {"020 7946 0850": "+442079460850"}
    record = parse_case_sheet(text).to_json_dict()
    assert record["targets"][1]["dial"] == {"020 7946 0850": "+442079460850"}


def test_comma_run_bullets_split_office_name_and_address():
    text = (
        "Please send appeals to:\n"
        "- President Islam Abdurakhmanov, Rashidov Street 43, Tashkent 700163, Uzbekistan, "
        "Fax: +998 71 555 53 25\n"
        "urging the authorities to release Saida Karimova immediately.\n"
    )
    target = parse_case_sheet(text).targets[0]
    assert (target.title, target.name) == ("President", "Islam Abdurakhmanov")
    assert target.address_lines == ["Rashidov Street 43, Tashkent 700163, Uzbekistan"]
    assert target.faxes == ["+998 71 555 53 25"]


def test_an_email_line_is_never_a_heading():
    # ".ao" ends like the Portuguese "ao" ("to the") of "Escreva ao"
    assert not is_primary_heading("Email: gabinete@pgr.example.ao")
    assert is_primary_heading("Escreva para:")


def test_letter_spaced_word_is_decoration():
    assert is_junk("P R E S E N T E")
    assert not is_junk("PRESENTE Y FUTURO")


def test_byline_with_a_date_is_not_the_headline():
    text = (
        "Blog de l'ACAT locale – lundi 12 mars 2007\n"
        "Appel urgent – RDC : menaces de mort contre un défenseur\n"
        "Merci d'écrire aux autorités en leur demandant de :\n"
        "i. garantir la sécurité de M. Joseph Mbuyi Kalala ;\n"
        "ii. enquêter sur les menaces contre Joseph Mbuyi Kalala.\n"
    )
    sheet = parse_case_sheet(text)
    assert sheet.title == "Appel urgent – RDC : menaces de mort contre un défenseur"
    assert sheet.date_issued == "2007-03-12"
    date = post_line_date("Publié le 17 octobre 2022 par admin")
    assert date is not None and date.iso() == "2022-10-17"
    assert (
        post_line_date("Le 17 octobre 2022, la police a arrêté trois militants à Niamey.") is None
    )


def test_role_word_inside_a_name_run_is_cut_off():
    text = (
        "Philippinen: Bauernführerin verschwunden\n"
        "Wir sind besorgt wegen des Verschwindens der Bauernführerin Marites Dumalag. "
        "Marites Dumalag wurde am 30. März von Soldaten mitgenommen.\n"
        "Bitte fordern Sie, dass Marites Dumalag freigelassen wird.\n"
    )
    assert [p.name for p in parse_case_sheet(text).persons] == ["Marites Dumalag"]


def test_a_call_to_supporters_alone_is_an_appeal_signal():
    # no reference, no addressee, no salutation: the demand is enough not to refuse the text
    text = (
        "Verschwunden\nDie Gewerkschafterin Ana Lucía Pérez wurde am 2. Mai mitgenommen.\n"
        "Bitte fordern Sie, dass Ana Lucía Pérez freigelassen wird.\n"
    )
    assert parse_case_sheet(text).persons[0].name == "Ana Lucía Pérez"


def test_a_place_named_only_in_the_headline_is_not_a_person():
    text = (
        "Moçambique: jornalista desaparecido em Cabo Delgado\n"
        "O jornalista Abílio Mussa Tembe desapareceu no dia 7 de abril em Palma.\n"
        "A Rede apela às autoridades para que:\n"
        "- revelem imediatamente o paradeiro de Abílio Mussa Tembe;\n"
        "- investiguem o seu desaparecimento.\n"
    )
    assert [p.name for p in parse_case_sheet(text).persons] == ["Abílio Mussa Tembe"]


def test_themes_are_marked_as_suggestions():
    record = parse_case_sheet(LETTER_TOP + "Il risque la torture en détention.\n").to_json_dict()
    assert record["themes"]
    assert record["suggested"] == ["themes"]


def test_numeric_date_at_the_end_of_a_sentence():
    dates = find_dates("Lähetä se viimeistään 26.7.2022.")
    assert [d.iso() for d in dates] == ["2022-07-26"]


def test_copy_line_with_an_article_before_the_institution():
    text = (
        "Écrivez à :\nMonsieur le Ministre de la Justice\nOusmane Hamani Garba\n"
        "BP 466 Niamey\nNiger\n\n"
        "Copie à : l'Ambassade du Niger, 154 rue du Faubourg, 75008 Paris, France, "
        "Fax : 01 45 55 55 55\n\n"
        "Monsieur le Ministre,\nJe vous demande de libérer Idrissa Kanté Bello.\n"
    )
    copy = parse_case_sheet(text).targets[1]
    assert copy.role == "copy"
    assert copy.title == "Ambassade du Niger"
    assert copy.faxes == ["01 45 55 55 55"]
    assert copy.dial == {"01 45 55 55 55": "+33145555555"}


def test_contacts_in_a_sentence_go_to_the_addressee_it_names():
    text = (
        "ACTION ALERT: Stop the execution of Marcus Tillery\n"
        "Call Governor Kay Benford at 334–555–0172 and ask her to grant clemency.\n"
        "Email the Governor: governor@al-gov.example.org\n"
        "Write:\nGovernor Kay Benford\nState Capitol\n600 Dexter Avenue\nMontgomery, AL 36130\n\n"
        "Dear Governor Benford,\nI urge you to grant clemency to Marcus Tillery.\n"
    )
    target = parse_case_sheet(text).targets[0]
    assert (target.title, target.name) == ("Governor", "Kay Benford")
    assert target.phones == ["334–555–0172"]
    assert target.emails == ["governor@al-gov.example.org"]
