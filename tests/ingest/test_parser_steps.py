"""Each step of the reader on its own, with invented lines in the tables' languages."""

from __future__ import annotations

import pytest

from urgent.ingest.errors import IngestError
from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.parsing import lang
from urgent.ingest.parsing.addressee import AddressBlock, read_block
from urgent.ingest.parsing.asks import demands_something, find_list_asks, find_request_sentence
from urgent.ingest.parsing.blocks import find_address_section
from urgent.ingest.parsing.contacts import dial_form, split_labels
from urgent.ingest.parsing.countries import alias_key, display_name
from urgent.ingest.parsing.doc import Doc
from urgent.ingest.parsing.header import detect_language
from urgent.ingest.parsing.lines import (
    copy_heading,
    has_instruction,
    is_address_line,
    is_head,
    is_primary_heading,
    letter_salutation,
)
from urgent.ingest.parsing.persons import find_persons
from urgent.ingest.parsing.salutations import attach_salutations, find_letter_salutations
from urgent.ingest.parsing.sections import instruction_lines
from urgent.ingest.parsing.titles import (
    clean_headline,
    find_title,
    is_navigation,
    is_series_heading,
)
from urgent.ingest.record import UNSURE_BELOW, Target

LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "nl")


# ---------------------------------------------------------------------------
# Vocabulary tables


def test_every_language_has_a_table_with_the_same_sections():
    tables = lang.tables()
    assert set(LANGUAGES) <= set(tables)
    needed = {"detect", "words", "addressees", "letter", "labels", "headings", "demands", "kind"}
    for code in LANGUAGES:
        assert needed <= set(tables[code]), code
        assert tables[code]["letter"]["salutations"], code
        assert tables[code]["headings"]["copy"], code
        assert tables[code]["demands"]["first_person"], code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Der Journalist wurde am Montag festgenommen und ist seit dem in Haft.", "de"),
        ("Le journaliste a été arrêté lundi et il est toujours détenu dans une prison.", "fr"),
        ("El periodista fue detenido el lunes y sigue en la cárcel de la ciudad.", "es"),
        ("O jornalista foi detido na segunda-feira e continua na prisão da cidade.", "pt"),
        (
            "Il giornalista è stato arrestato lunedì e si trova ancora nel carcere della città.",
            "it",
        ),
        ("De journalist werd maandag gearresteerd en zit nog steeds in de gevangenis.", "nl"),
        ("The journalist was arrested on Monday and is still held in the city prison.", "en"),
    ],
)
def test_language_from_common_words(text, code):
    assert detect_language(text)[0] == code


@pytest.mark.parametrize(
    ("name", "code"),
    [("KASACHSTAN", "KZ"), ("Égypte", "EG"), ("Marruecos", "MA"), ("Turkije", "TR")],
)
def test_country_names_in_every_language_come_from_cldr(name, code):
    assert alias_key(name) == code
    assert display_name(code)


# ---------------------------------------------------------------------------
# Lines


@pytest.mark.parametrize(
    "line",
    [
        "Write to:",
        "PLEASE SEND APPEALS BEFORE 18 OCTOBER 2018 TO:",
        "Écrivez à :",
        "ENVÍEN LLAMAMIENTOS ANTES DEL 22 DE OCTUBRE DE 2020 A:",
        "Appell an",
        "Schreiben Sie bitte E-Mails bis zum 1. März an:",
        "Envie apelos até 20 de julho para:",
        "Inviate appelli entro il 15 marzo a:",
        "Stuur uw brief vóór 15 december naar:",
        "You can also write to the parole board, which may reconsider:",
    ],
)
def test_primary_headings_in_every_language(line):
    assert is_primary_heading(line)


@pytest.mark.parametrize(
    "line",
    ["And copies to:", "Copies à :", "Y copias a:", "Kopien an", "Com cópia para:", "Kopie naar:"],
)
def test_copy_headings_in_every_language(line):
    assert copy_heading(line)


@pytest.mark.parametrize("line", ["Copyright 2024 Example", "Copies of the report were seized."])
def test_words_about_copies_are_not_headings(line):
    assert not copy_heading(line)


@pytest.mark.parametrize(
    ("line", "salutation"),
    [
        ("Dear Minister,", "Dear Minister,"),
        ("Sehr geehrter Herr Präsident,", "Sehr geehrter Herr Präsident,"),
        ("Monsieur le Ministre,", "Monsieur le Ministre,"),
        ("Señor Presidente:", "Señor Presidente:"),
        ("Excelentíssimo Senhor Governador,", "Excelentíssimo Senhor Governador,"),
        ("Egregio Procuratore,", "Egregio Procuratore,"),
        ("Geachte heer Minister,", "Geachte heer Minister,"),
        ("Dear friends,", None),
        ("Monsieur Jean Exemple", None),
    ],
)
def test_letter_salutations(line, salutation):
    assert letter_salutation(line) == salutation


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("2207 Example Avenue NW", True),
        ("Beispielallee 65", True),
        ("14195 Berlin", True),
        ("KASACHSTAN", True),
        ("P.O. Box 555", True),
        ("225g caster sugar", False),
        ("4 eggs", False),
        ("Posted on 2 February 2015", False),
    ],
)
def test_address_lines(line, address):
    assert is_address_line(line) is address


@pytest.mark.parametrize(
    "line", ["Herrn", "His Excellency Ivan Example", "Minister of Justice", "Procureur général"]
)
def test_heads_of_address_blocks(line):
    assert is_head(line)


def test_labels_in_several_languages_on_one_line():
    line = "Tél. : +33 1 55 50 01 00 Courriel : a@b.example Formule d'appel : Monsieur le Ministre,"
    assert [kind for kind, _ in split_labels(line)] == ["phone", "email", "salutation"]


def test_publisher_instructions_and_menus():
    assert has_instruction("Si vous souhaitez recevoir des nouvelles de ce cas, écrivez-nous")
    assert has_instruction("Wir verwenden Cookies, um unsere Website zu verbessern.")
    assert not has_instruction("The authorities must release him at once.")
    assert is_navigation("Home   About us   Countries   Reports   Contact")
    assert is_navigation("Startseite › Mitmachen › Urgent Actions")
    assert not is_navigation("UA 142/95   Torture / Ill-treatment")


# ---------------------------------------------------------------------------
# Address blocks

MODEL_LETTER = """Herrn
Präsident Arman Beispielov
Präsidialverwaltung
Ulitsa Primer 12
010000 Astana
KASACHSTAN

Sehr geehrter Herr Präsident,

ich bitte Sie, den Journalisten Daulet Mustermann umgehend freizulassen.

Hochachtungsvoll
"""


def test_a_block_at_the_very_top_of_a_model_letter_takes_the_salutation_below_it():
    doc = Doc.from_text(MODEL_LETTER)
    section = find_address_section(doc)
    assert len(section.blocks) == 1
    target = read_block(section.blocks[0])
    assert (target.honorific, target.name, target.title) == (
        "Herrn",
        "Arman Beispielov",
        "Präsident",
    )
    assert target.address_lines[-1] == "KASACHSTAN"
    salutations = find_letter_salutations(doc, section.used_lines)
    [target] = attach_salutations([target], section.blocks, salutations)
    assert target.salutation == "Sehr geehrter Herr Präsident,"


def test_role_comes_from_the_heading_above_in_any_language():
    text = (
        "Escriban a:\nFiscal General\nSr. Andrés Ejemplo\nDiagonal 22B No. 52-01\nBogotá\n\n"
        "Y copias a:\nEmbajada de Colombia\nCalle Ejemplo 12\n28001 Madrid\n"
    )
    section = find_address_section(Doc.from_text(text))
    assert [b.role for b in section.blocks] == ["primary", "copy"]


def test_bulleted_one_line_addressees():
    text = (
        "Addresses:\n"
        "· H.E. Omar Example, Minister of Justice, Fax: +973 1753 0000, Email: m@j.example\n"
    )
    [block] = find_address_section(Doc.from_text(text)).blocks
    target = read_block(block)
    assert (target.honorific, target.name, target.title) == (
        "H.E.",
        "Omar Example",
        "Minister of Justice",
    )
    assert target.faxes == ["+973 1753 0000"]
    assert target.emails == ["m@j.example"]


def test_a_name_followed_by_its_address_on_the_same_line():
    block = AddressBlock(
        "primary", ("Fiscal General", "Sr. Ana Ejemplo, Carrera 8 No. 7-26, Bogotá"), (0, 1)
    )
    target = read_block(block)
    assert (target.honorific, target.name) == ("Sr.", "Ana Ejemplo")
    assert target.address_lines == ["Carrera 8 No. 7-26, Bogotá"]


def test_a_recipe_has_no_address_block():
    text = "Lemon cake\n\nIngredients\n225g caster sugar\n4 eggs\nZest of 1 lemon\n"
    assert find_address_section(Doc.from_text(text)).blocks == ()


def test_salutation_goes_to_the_addressee_it_names():
    targets = [
        Target(title="Minister of Justice", name="Omar Example"),
        Target(title="Governor", name="Jane Example"),
    ]
    doc = Doc.from_text("Intro\n\nDear Governor,\nPlease release him.\n")
    found = find_letter_salutations(doc, ())
    out = attach_salutations(targets, [], found)
    assert [t.salutation for t in out] == [None, "Dear Governor,"]


# ---------------------------------------------------------------------------
# Asks


def test_a_list_is_taken_when_its_lead_announces_demands():
    text = (
        "EMPFOHLENE AKTIONEN: Faxe oder Luftpostbriefe, in denen Sie\n"
        "- die Freilassung von Ana Beispiel fordern;\n"
        "- um eine unparteiische Untersuchung bitten.\n"
    )
    asks = find_list_asks(Doc.from_text(text), ())
    assert asks.items == (
        "die Freilassung von Ana Beispiel fordern;",
        "um eine unparteiische Untersuchung bitten.",
    )


def test_a_list_of_links_is_not_a_list_of_demands():
    text = "Resources:\n• Download the PDF\n• Read our annual report\n"
    assert find_list_asks(Doc.from_text(text), ()).items == ()


def test_roman_numbered_demands():
    text = (
        "Please write to the authorities asking them to:\n"
        "i. Release Yusuf Example immediately;\n"
        "ii. Guarantee his physical integrity.\n"
    )
    assert len(find_list_asks(Doc.from_text(text), ()).items) == 2


def test_every_demand_sentence_of_the_letter():
    text = (
        "Geachte heer Minister,\n\nIk maak mij zorgen over Aylin Voorbeeld. Ik vraag u haar "
        "onmiddellijk vrij te laten. Tevens vragen wij u om het proces te laten bijwonen.\n\n"
        "Hoogachtend,\n"
    )
    asks = find_request_sentence(Doc.from_text(text), (), 0)
    assert asks.items == (
        "Ik vraag u haar onmiddellijk vrij te laten.",
        "Tevens vragen wij u om het proces te laten bijwonen.",
    )


@pytest.mark.parametrize(
    ("item", "demands"),
    [
        ("libérer immédiatement Karim Exemple", True),
        ("garantice su protección", True),
        ("Download the full action as a PDF", False),
        ("Urgent Action 63.10 and its history", False),
    ],
)
def test_demand_verbs(item, demands):
    assert demands_something(item) is demands


# ---------------------------------------------------------------------------
# Title and headline


def test_title_skips_a_web_page_furniture():
    text = (
        "Zum Hauptinhalt springen\nAmnesty International Deutschland\n"
        "Mitmachen   Informieren   Spenden   Über uns\n"
        "Startseite › Mitmachen › Urgent Actions\nURGENT ACTION\nKirgisistan\n"
        "Journalistin in Haft\n13. Februar 2024 · UA-017/2024\n"
        "Die Journalistin Ajdaj Beispiel sitzt seit dem 22. Januar in Untersuchungshaft.\n"
    )
    assert find_title(Doc.from_text(text), (), None, None)[0] == "Journalistin in Haft"


@pytest.mark.parametrize(
    "series",
    [
        "Appeal of the month – June 2023",
        "Model letters July 2007",
        "Briefe gegen das Vergessen – März 2025",
        "Aktion des Monats Juli 2024",
        "Action urgente – Thème : peine de mort",
        "Cartas-modelo – maio de 2024",
        "Schrijfactie van de maand – april 2024",
    ],
)
def test_title_skips_a_series_heading(series):
    text = (
        f"{series}\nStudent faces execution\nThe student Kaveh Beispiel was sentenced to death.\n"
    )
    assert find_title(Doc.from_text(text), (), None, None)[0] == "Student faces execution"


@pytest.mark.parametrize(
    "headline",
    ["Journalist detained since March 2023", "Two bloggers tortured in pre-trial detention"],
)
def test_a_headline_with_a_date_or_a_series_word_is_kept(headline):
    assert not is_series_heading(headline)


@pytest.mark.parametrize("label", ["Betreff", "Objet", "Asunto", "Assunto", "Re", "Betreft"])
def test_a_page_headline_wins_over_the_letter_subject(label):
    text = (
        "Ägypten: Menschenrechtsverteidiger gefoltert\nDer Verteidiger Amr Beispiel ist in Haft.\n"
        f"{label}: Amr Beispiel\nSehr geehrter Herr Generalstaatsanwalt,\n"
    )
    assert find_title(Doc.from_text(text), (), None, None)[0] == (
        "Ägypten: Menschenrechtsverteidiger gefoltert"
    )


def test_a_letter_with_no_headline_takes_its_subject_without_the_label():
    text = (
        "An den\nGeneralstaatsanwalt\nHerrn Max Beispiel\nBeispielstraße 1\n12345 Beispielstadt\n\n"
        "Betreff: Strafverfahren gegen Ada Beispiel\n\nSehr geehrter Herr Generalstaatsanwalt,\n"
    )
    doc = Doc.from_text(text)
    found = find_address_section(doc)
    assert find_title(doc, found.used_lines, None, None)[0] == "Strafverfahren gegen Ada Beispiel"


def test_a_good_news_note_that_closes_an_action_is_read():
    text = (
        "Goed nieuws\nAdvocate Thandi Beispiel vrijgelaten\n"
        "De advocate Thandi Beispiel is op 9 april vrijgelaten. Dank aan iedereen!\n"
        "Er zijn geen verdere acties nodig.\n"
    )
    sheet = parse_case_sheet(text)
    assert sheet.title == "Advocate Thandi Beispiel vrijgelaten"


def test_a_letter_that_opens_with_its_salutation_has_no_title():
    doc = Doc.from_text("Sehr geehrter Herr Minister,\n\nich bitte Sie, ihn freizulassen.\n")
    assert find_title(doc, (), None, None)[0] is None


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        (
            "TURKMENISTAN: Opposition Activist At Risk Of Torture",
            "Opposition activist at risk of torture",
        ),
        ("Urgent Action: Virginia Execution Reset (USA: UA 55/17)", "Virginia execution reset"),
        ("TUNISIE. UN BLOGUEUR CONDAMNÉ À DEUX ANS", "Un blogueur condamné à deux ans"),
        ("Journalist held in Example City", "Journalist held in Example City"),
    ],
)
def test_headline_is_cleaned(title, headline):
    assert clean_headline(title) == headline


def test_headline_keeps_the_capitals_of_names():
    assert clean_headline("FREE SAMI BEN YOUSSEF NOW", ["Sami Ben Youssef"]) == (
        "Free Sami Ben Youssef now"
    )


# ---------------------------------------------------------------------------
# Contacts


@pytest.mark.parametrize(
    ("printed", "country", "dial"),
    [
        ("1-202-588-1500", "US", "+12025881500"),
        ("+33 1 55 50 01 00", None, "+33155500100"),
        ("030-555 01 00", "DE", "+49305550100"),
        ("12", "US", None),
    ],
)
def test_numbers_have_a_form_that_dials_from_anywhere(printed, country, dial):
    assert dial_form(printed, country) == dial


# ---------------------------------------------------------------------------
# The whole reader: appeal signals, confidence


@pytest.mark.parametrize(
    "text",
    [
        "Sehr geehrter Herr Präsident,\n\nich bitte Sie, Ana Beispiel freizulassen.\n",
        "ACTION ALERT\n\nPlease contact Governor Example and urge clemency for John Example.\n",
        "UA 12/34\n\nA man is at risk.\n",
        "Je vous demande de libérer immédiatement Karim Exemple.\n",
    ],
)
def test_any_appeal_signal_is_enough_to_read_a_text(text):
    parse_case_sheet(text)


def test_a_text_with_no_appeal_signal_is_refused():
    with pytest.raises(IngestError, match="does not look like an urgent-action case sheet"):
        parse_case_sheet("The council approved new cycle lanes on Tuesday.\n")


def test_confidence_is_given_for_each_field_found_and_drives_uncertain():
    sheet = parse_case_sheet(
        "UA 12/99 Fear of execution 3 May 1999\n\n"
        "RECOMMENDED ACTION: Please send faxes: - urging President Example to grant clemency "
        "to Ana Example; - stating your opposition to the death penalty.\n"
    )
    assert set(sheet.confidence) == {f for f in sheet.confidence if f not in sheet.missing}
    assert all(0 <= c <= 1 for c in sheet.confidence.values())
    assert sheet.uncertain == [f for f, c in sheet.confidence.items() if c < UNSURE_BELOW]
    assert "targets" in sheet.uncertain  # named in passing in the asks, no address printed


def test_a_name_after_a_subject_label_is_not_an_official():
    # "re" is also an office word (the Italian king); after "Re:" it is a letter's label
    segments = [
        ("body", "Bloggers Sanjar Beispiel and Aziz Muster were arrested in Nukus."),
        ("body", "Re: Sanjar Beispiel and Aziz Muster"),
        ("body", "I urge you to release Sanjar Beispiel and Aziz Muster immediately."),
    ]
    text = " ".join(line for _zone, line in segments)
    names = [p.name for p in find_persons(segments, ["Nigmatilla Example"], text)]
    assert names == ["Sanjar Beispiel", "Aziz Muster"]


def test_a_share_button_in_a_long_unbroken_page_keeps_the_story():
    lines = [
        "Goed nieuws",
        "Advocate Thandi Beispiel vrijgelaten",
        "12 april 2024",
        "De advocate Thandi Beispiel is op 9 april vrijgelaten.",
        "Zij zat sinds september vast.",
        "Er zijn geen verdere acties nodig.",
        "Deel dit bericht",
    ]
    assert instruction_lines(Doc.from_text("\n".join(lines))) == {6}


def test_a_short_wrapped_instruction_paragraph_is_kept_out_whole():
    text = (
        "Story line.\n\nIf you want updates on this case,\nplease send your request to\n"
        "ua@example.org\n"
    )
    assert instruction_lines(Doc.from_text(text)) == {2, 3, 4}


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (
            [
                ("body", "Die Umweltverteidigerin Marta Beispiel Muster wird bedroht."),
                ("body", "Marta Beispiel Muster hat Anzeige erstattet."),
            ],
            ["Marta Beispiel Muster"],
        ),
        (
            [
                ("body", "Der Bauern Aurelio Beispiel Gomez wurde verhaftet."),
                ("body", "Er sitzt in der Militaerkaserne von Ocosingo."),
                ("body", "Aurelio Beispiel Gomez hat keinen Anwalt."),
            ],
            ["Aurelio Beispiel Gomez"],
        ),
        (
            [
                ("body", "The defender Akmal Beispiel was arrested on 10 November."),
                ("asks", "1. Release Akmal Beispiel immediately and unconditionally;"),
            ],
            ["Akmal Beispiel"],
        ),
    ],
)
def test_a_name_loses_the_role_or_verb_in_front_and_a_barracks_is_no_person(segments, expected):
    text = " ".join(line for _zone, line in segments)
    assert [p.name for p in find_persons(segments, [], text)] == expected


def test_a_headline_that_opens_with_a_demand_verb_names_no_person():
    segments = [
        ("title", "Ruritania: Protect LGBTI activists attacked in Beispielstadt"),
        ("body", "Police raided a shelter of the LGBTI rights group Rainbow Beispiel."),
        ("body", "Police arrested the coordinator Brian Beispiel at the shelter."),
        ("body", "Brian Beispiel has not seen a lawyer."),
    ]
    text = " ".join(line for _zone, line in segments)
    assert [p.name for p in find_persons(segments, [], text)] == ["Brian Beispiel"]
