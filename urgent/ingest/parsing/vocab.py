"""Generic vocabulary the heuristics lean on: label words, office words, courtesy styles.

Everything here is ordinary language in English, French, Spanish and German; nothing
is taken from a particular case sheet.
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive key for comparisons."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


def words(text: str) -> frozenset[str]:
    """A word set matching both the case-folded and the accent-folded spelling."""
    out: set[str] = set()
    for w in text.split():
        out.add(w.casefold())
        out.add(fold(w))
    return frozenset(out)


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan janvier janv enero ene januar jänner jaenner",
        "february feb février fevrier févr fevr febrero febr februar",
        "march mar mars marzo märz maerz",
        "april apr avril avr abril",
        "may mai mayo",
        "june jun juin junio juni",
        "july jul juillet juil julio juli",
        "august aug août aout agosto ago",
        "september sep sept septembre septiembre setiembre",
        "october oct octobre octubre oktober okt",
        "november nov novembre noviembre",
        "december dec décembre decembre déc diciembre dic dezember dez",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

WEEKDAYS = words(
    "monday tuesday wednesday thursday friday saturday sunday "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "lunes martes miércoles jueves viernes sábado domingo "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag"
)

# Words that start a sentence often enough to be capitalised without being names.
FUNCTION_WORDS = words(
    """a an the this that these those there then than and or but nor so yet if as at by
    for from in into of on onto to up with without within about above after against
    along among around before behind below beneath beside between beyond during except
    inside near off out outside over since through throughout till toward towards under
    until upon via he she it we they you i his her its our their your my me him us them
    who whom whose which what when where why how all any both each every few many more
    most other some such no not only own same too very can will just should would could
    may might must shall also although though while whereas because however therefore
    thus moreover furthermore meanwhile today yesterday tomorrow now here please dear
    yours sincerely regards is are was were be been being have has had do does did
    again once further despite according following given last next new first second
    third one two three four five six seven eight nine ten
    le la les un une des du de au aux et ou mais donc or ni car ce cet cette ces il elle
    ils elles on nous vous je tu son sa ses leur leurs qui que quoi dont où dans par pour
    sur sous avec sans chez entre depuis pendant avant après lors selon toutefois ainsi
    cependant en outre alors puis aussi très tout tous toute toutes plus moins déjà
    el los las unos unas del al y o pero ni porque como cuando donde quien quienes cual
    este esta estos estas ese esa esos esas él ella ellos ellas nosotros usted ustedes
    su sus mi mis desde durante tras según sin con contra hacia hasta para por entre
    sobre además también muy todo todos toda todas
    der die das den dem des ein eine einer eines einem einen und oder aber doch sondern
    denn weil dass wenn als wie wo wer was welche welcher welches dieser diese dieses
    er sie es wir ihr ich du sein seine ihre ihren mein meine unser unsere euer im am
    zum zur vom beim auf aus bei mit nach seit von vor zu über unter gegen ohne durch
    um bis während trotz wegen außerdem jedoch dennoch auch noch nur schon sehr
    dein deine deinen deinem deiner euer eure ihr ihre jetzt hier""".replace("\n", " ")
)

# Lower-case connectors that may sit inside a personal name.
NAME_PARTICLES = words(
    "de da di del della dos das do du van von der den ter ten bin binti bint ibn ben "
    "abu al el la le y e"
)

# Capitalised words that are never part of a person's name: institutions, places in
# general, documents, offices, time words.  Kept lower-case; compared case-insensitively.
NON_NAME_WORDS = words(
    """amnesty international urgent action actions appeal appeals network update updates index
    publication type number date deadline title summary
    good news further information background additional summary letter model download
    downloads pdf word click here take let know resources contact share twitter facebook
    instagram youtube tiktok whatsapp telegram email e-mail fax phone tel salutation
    ministry minister ministre ministro ministra ministerio ministère ministerium
    ministerin department departement departamento office bureau oficina büro embassy
    ambassade embajada botschaft mission permanent consulate consulat consulado konsulat
    government gouvernement gobierno regierung state states état estado staat federal
    national nationale nacional federation république republic república republik
    kingdom royaume reino königreich emirates union unión european européenne europea
    united unidos nations naciones vereinten council conseil consejo rat assembly
    assemblée asamblea parliament parlement parlamento parlament senate sénat senado
    congress congrès congreso kongress court cour tribunal tribunale gericht
    gerichtshof supreme suprême supremo oberster high haute alto regional provincial
    district municipal city ville ciudad stadt county province provincia provinz region
    région región police policía polizei army armée ejército armee military militaire
    militar security sécurité seguridad sicherheit intelligence justice justicia justiz
    interior intérieur interno innern foreign affairs étrangères exteriores auswärtiges
    public pública público öffentliche prison prisons prisión gefängnis jail detention
    centre center centro zentrum camp hospital hôpital university université
    universidad universität school école escuela schule college institute institut
    instituto association asociación verein organization organisation organización
    organisation movement mouvement movimiento bewegung committee comité comisión
    kommission commission party parti partido partei front frente group groupe grupo
    gruppe network réseau red netzwerk foundation fondation fundación stiftung
    society société sociedad gesellschaft church église iglesia kirche radio television
    télévision televisión fernsehen news press presse prensa agency agence agencia
    company compagnie compañía board bureau office secretariat secretaría sekretariat
    human rights right droits derechos menschenrechte rechte watch declaration
    déclaration declaración erklärung convention convención konvention covenant charter
    charte carta act law loi ley gesetz code constitution constitución verfassung
    decree décret decreto order ordre orden article artículo artikel penal pénal
    criminal civil procedure procédure procedimiento section sección abschnitt street
    avenue road boulevard square place plaza calle avenida carrera straße strasse
    platz allee weg box palace palais palacio palast building tower floor suite
    north south east west middle northern southern eastern western central nord sud
    est ouest norte sur este oeste nord süd ost west mittlerer asia africa europe
    america americas oceania latin caribbean gulf pacific atlantic arab arabic
    islamic muslim christian jewish catholic indigenous indigène indígena indígenas
    people peoples pueblo pueblos peuple volk community communauté comunidad
    gemeinschaft unidad day jour día tag week month year
    honorable honourable excellency excellence excelencia exzellenz majesty majesté
    majestad majestät highness hm he hrh mr mrs ms miss dr prof sir madam madame
    monsieur señor señora sr sra herr frau
    dear estimado estimada sehr geehrter geehrte
    president président presidente präsident präsidentin governor gouverneur
    gobernador gouverneurin prime premier primer mayor maire alcalde bürgermeister
    judge juge juez richter prosecutor procureur fiscal staatsanwalt
    generalstaatsanwalt attorney general général director directeur directora
    direktor secretary secrétaire secretario secretaria sekretär commissioner
    commissaire comisionado kommissar ambassador ambassadeur embajador embajadora
    botschafter botschafterin king roi rey könig queen reine reina königin emir
    sultan chancellor chancelier canciller kanzler chief chef jefe head leader
    representative représentant representante vertreter speaker chair chairman
    chairperson spokesperson procurator governor-general deputy vice acting
    commander commandant comandante kommandeur colonel coronel oberst captain
    capitaine capitán hauptmann officer officier oficial beamter inspector inspecteur
    warden superintendent governor
    internet online social media web website""".replace("\n", " ")
)

# Office words: when a head line of an address block contains one, it is a job title.
OFFICE_WORDS = (
    "president|présidente?|presidenta?|präsident(?:in)?|vice[- ]president|prime minister|"
    "premier ministre|primer ministro|premierminister|ministerpräsident(?:in)?|"
    "minister|ministre|ministr[oa]|ministerin|secretary(?:-general)?|secretari[oa]|"
    "secrétaire|sekretär(?:in)?|governor|gouverneur(?:e|in)?|gobernador(?:a)?|"
    "attorney[- ]general|attorney|procurator|prosecutor|procureur(?:e)?|fiscal|"
    "generalstaatsanwalt|staatsanwalt|staatsanwältin|director|directeur|directrice|"
    "director[a]?|direktor(?:in)?|commissioner|commissaire|comisionad[oa]|"
    "kommissar(?:in)?|ambassador|ambassadeur|ambassadrice|embajador(?:a)?|"
    "botschafter(?:in)?|chargé d'affaires|high representative|representative|"
    "représentant(?:e)?|representante|king|queen|roi|reine|rey|reina|könig(?:in)?|"
    "emir|sultan|crown prince|chancellor|chancelier|canciller|kanzler(?:in)?|"
    "chief justice|chief|chef|jef[ea]|head of|mayor|maire|alcalde(?:sa)?|"
    "bürgermeister(?:in)?|judge|juge|juez|richter(?:in)?|speaker|chair(?:man|person|woman)?|"
    "commander|commandant|comandante|superintendent|warden|inspector|"
    "ombudsman|ombudsperson|defensor del pueblo|médiateur|"
    "governor-general|justice minister|garde des sceaux"
)
OFFICE_RE = re.compile(rf"(?i)(?<![\w-])(?:{OFFICE_WORDS})(?![\w-])")
LEADING_OFFICE_RE = re.compile(
    r"(?i)^(?:(?:the|acting|deputy|vice|interim|federal|state|chief)\s+)*"
    r"(president|présidente?|presidenta?|präsident(?:in)?|prime minister|governor|"
    r"gouverneur|gobernador(?:a)?|ambassador|ambassadeur|embajador(?:a)?|"
    r"botschafter(?:in)?|king|roi|rey|könig|emir|sultan|sheikh|mayor|maire|alcalde|"
    r"judge|juge|juez|senator|sénateur|senador(?:a)?|attorney general|"
    r"procurator|prosecutor|director|minister|ministre|ministr[oa]|secretary|"
    r"chancellor|chancelier|canciller|kanzler(?:in)?|commissioner|premier)"
    r"(?:\s+(?:general|of\s+\w+))?\s+(?=[A-ZÀ-Þ])"
)

# Endings of common nouns (mostly German, where every noun is capitalised).
NOUN_SUFFIX_RE = re.compile(
    r"(?i)(?:ung|heit|keit|schaft|tion|tión|sion|sión|ness|ismus|ität|ité|idad|"
    r"ships?|strafe|urteil|zelle|staat|staaten|behörden?|nahme|autorität)$"
)

# Words that open an institutional address line rather than a job title.
INSTITUTION_START_RE = re.compile(
    r"(?i)^(?:the\s+)?(?:office|bureau|cabinet|ministry|ministère|ministerio|ministerium|"
    r"embassy|ambassade|embajada|botschaft|permanent mission|mission|consulate|"
    r"department|département|departamento|secretaría|secretariat|secrétariat|"
    r"palace|palais|palacio|presidency|présidence|presidencia|"
    r"government|gouvernement|gobierno|regierung|court|cour|tribunal|"
    r"prison|centre|center|centro|police|procuratorate|"
    r"headquarters|house|maison|casa|c/o|attn|p\.?\s?o\.?\s?box|b\.?p\.?|apartado|"
    r"postfach|\d)"
)

# Words that start the street part of a one-line address.
ADDRESS_START_RE = re.compile(
    r"(?i)^(?:calle|c/|avenida|av\.|avda\.?|carrera|cra\.?|paseo|plaza|rue|avenue|"
    r"boulevard|bd\.?|chemin|place|straße|strasse|str\.|platz|allee|via|viale|piazza|"
    r"embassy|ambassade|embajada|botschaft|office|ministry|ministerio|ministère|"
    r"palacio|palais|palace|secretaría|department|permanent|p\.?\s?o\.?|c/o|\d)"
)

# Courtesy styles, longest first; matched at the start of a head line.
HONORIFIC_PATTERNS: tuple[str, ...] = (
    r"his\s+royal\s+highness",
    r"her\s+royal\s+highness",
    r"his\s+majesty",
    r"her\s+majesty",
    r"his\s+highness",
    r"her\s+highness",
    r"his\s+excellency",
    r"her\s+excellency",
    r"their\s+excellencies",
    r"son\s+excellence",
    r"sa\s+majesté",
    r"seine\s+exzellenz",
    r"ihre\s+exzellenz",
    r"seine\s+majestät",
    r"su\s+excelencia",
    r"su\s+majestad",
    r"excelent[íi]sim[oa]\s+señor(?:a)?",
    r"excm[oa]\.?\s*sr(?:a)?\.?",
    r"the\s*right\s*hono(?:u)?rable",
    r"the\s*rt\.?\s*hon(?:ou?rable)?\.?",
    r"the\s*hono(?:u)?rable",
    r"the\s*hon\.?",
    r"hon(?:ou?rable)?\.?",
    r"general\s+de\s+(?:división|brigada|ejército)",
    r"lieutenant[\s-]general",
    r"major[\s-]general",
    r"brigadier[\s-]general",
    r"hrh",
    r"h\.\s?m\.",
    r"hm",
    r"h\.\s?e\.",
    r"s\.\s?e\.",
    r"mr\.?",
    r"mrs\.?",
    r"ms\.?",
    r"miss",
    r"dr\.?",
    r"prof\.?",
    r"professor",
    r"sir",
    r"counsell?or",
    r"dame",
    r"lord",
    r"monsieur",
    r"madame",
    r"mme\.?",
    r"m\.",
    r"señor(?:a)?",
    r"sr(?:a)?\.?",
    r"doña",
    r"lic\.?",
    r"licenciad[oa]",
    r"ing\.?",
    r"herrn?",
    r"frau",
    r"general",
    r"gen\.",
    r"colonel",
    r"col\.",
    r"brigadier",
)

ROLE_WORDS = words(
    """defender defenders activist activists journalist journalists lawyer lawyers
    student students prisoner prisoners detainee detainees coordinator coordinators
    member members leader leaders blogger bloggers poet writer writers artist
    national citizen man woman boy girl brother sister son daughter wife husband mother
    father teacher doctor worker workers migrant refugee refugees conscience
    campaigner campaigners trade unionist unionist researcher protester protesters
    dissident dissidents critic opponent reporter photographer academic professor
    founder director chairperson pastor priest imam cleric farmer farmers
    défenseur défenseure défenseurs militant militante militants journaliste avocat
    avocate étudiant étudiante prisonnier prisonnière détenu détenue opposant
    opposante syndicaliste blogueur blogueuse
    defensor defensora defensores activista activistas periodista abogado abogada
    estudiante preso presa detenido detenida dirigente líder lideresa sindicalista
    menschenrechtsverteidiger menschenrechtsverteidigerin aktivist aktivistin
    journalistin anwalt anwältin student studentin gefangene gefangener blogger
    bloggerin""".replace("\n", " ")
)

VICTIM_CONTEXT = words(
    "killed killing murder murdered murders executed victim victims "
    "shot assassination assassinated tué tuée meurtre asesinato asesinado asesinada "
    "muerte ermordet ermordung tötung getötet"
)

# Address and letter labels.
SALUTATION_LABEL = (
    r"salutation|formule\s+d['’]appel|formule\s+de\s+politesse|tratamiento|saludo|"
    r"anrede|briefanrede"
)
FAX_LABEL = r"fax(?:es)?|fax\s+no\.?|télécopie|telecopie|telefax|facs[íi]mil|facsimile"
PHONE_LABEL = (
    r"tel(?:ephone|éphone|efono|éfono|efon)?s?|phone|phones|t[ée]l\.?|tfno\.?|telf\.?|"
    r"mobile|mob\.|cell|handy|móvil|portable"
)
EMAIL_LABEL = (
    r"e-?mails?|email\s+address|correo(?:\s+electr[óo]nico|-?e)?|courriel|m[ée]l|"
    r"e-mail-adresse"
)
SOCIAL_LABEL = (
    r"twitter|x\s*\(twitter\)|facebook|instagram|tiktok|telegram|whatsapp|bluesky|"
    r"linkedin|youtube|threads|mastodon"
)
IGNORED_LABEL = (
    r"telegrams?|telex(?:es)?|cables?|web(?:site)?|site\s+web|sitio\s+web|internet|"
    r"online\s+form|contact\s+form|formulaire|formulario|kontaktformular|url"
)
