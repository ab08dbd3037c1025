"""Rendering a mailing for each recipient, with templates compiled once per language.

Rendering a Django template costs a few hundred microseconds; a fan-out renders three
(subject, text, HTML) for every recipient. Most mailing templates use a recipient's values
only as plain `{{ recipient.name }}` or `{{ links.unsubscribe }}`, so the whole template is
rendered once per language, variant and "has a name or not", with unique markers in place
of those values, and split into literal pieces and slots. Each message is then a join of
strings with the recipient's (escaped) values.

That shortcut is taken only when it is exact: a template that filters, tests or passes on
a recipient value (`{% if recipient.name == ... %}`, `{{ recipient.name|upper }}`,
`{% include %}`) is rendered in full for every recipient instead, and two renders with
different markers must give the same pieces. A failure while rendering one recipient fails
that recipient's Delivery, never the mailing.
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Node, TextNode, Variable, VariableNode
from django.template.defaulttags import IfNode, TemplateLiteral
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.templatetags.i18n import BlockTranslateNode
from django.utils import translation

from urgent.supporters.links import supporter_url

SLOTS = ("name", "email", "unsubscribe", "preferences")
_SLOT_PATHS = {
    ("recipient", "name"): 0,
    ("recipient", "email"): 1,
    ("links", "unsubscribe"): 2,
    ("links", "preferences"): 3,
}
_MENTION = re.compile(r"\b(recipient|links)\b")


class RenderError(Exception):
    """One recipient's message could not be made; the reason goes on the Delivery."""


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    supporter_uuid: uuid.UUID
    email: str
    name: str
    language: str
    variant: str


@dataclass(frozen=True)
class TemplateSet:
    """The parts of a mailing in one language (sources, before compiling)."""

    subject: str
    text: str
    html: str
    context: Mapping[str, Any]


@dataclass
class Rendered:
    subject: str
    text: str
    html: str | None
    unsubscribe_url: str


@dataclass
class _Part:
    """A format string with slots {0}..{3}, or a template to render in full."""

    pieces: str | None
    template: Template
    escape: bool
    static_context: dict[str, Any] = field(default_factory=dict)


def _engine() -> Engine:
    return Engine.get_default()


def template_compile(source: str) -> Template:
    """Parse a mailing template; TemplateSyntaxError names the problem."""
    return Template(source, engine=_engine())


def _plain_recipient_var(filter_expression: Any) -> bool | None:  # FilterExpression
    """True: a plain recipient value; False: a recipient value used otherwise; None: other."""
    var = filter_expression.var
    if not isinstance(var, Variable) or not var.lookups:
        return None
    if var.lookups[0] not in ("recipient", "links"):
        return None
    return not filter_expression.filters and tuple(var.lookups) in _SLOT_PATHS


def _mentions(condition: Any) -> bool:
    if condition is None:
        return False
    if isinstance(condition, TemplateLiteral):
        return _plain_recipient_var(condition.value) is not None
    return _mentions(getattr(condition, "first", None)) or _mentions(
        getattr(condition, "second", None)
    )


def _condition_ok(condition: Any) -> bool:
    """Only "is there a name" may be tested: the name's presence is part of the cache key."""
    if not _mentions(condition):
        return True
    if isinstance(condition, TemplateLiteral):
        value: Any = condition.value
        var = value.var
        return bool(
            not value.filters
            and isinstance(var, Variable)
            and tuple(var.lookups or ()) == ("recipient", "name")
        )
    if getattr(condition, "id", None) == "not":
        return _condition_ok(condition.first)
    return False


def _substitutable(template: Template) -> bool:
    """Whether every use of a recipient value is a plain substitution."""
    for node in template.nodelist.get_nodes_by_type(Node):
        if isinstance(node, TextNode):
            continue
        if isinstance(node, VariableNode):
            if _plain_recipient_var(node.filter_expression) is False:
                return False
            continue
        if isinstance(node, IncludeNode | ExtendsNode):
            return False
        if isinstance(node, IfNode):
            if not all(_condition_ok(c) for c, _nodes in node.conditions_nodelists):
                return False
            continue
        if isinstance(node, BlockTranslateNode):
            if any(_plain_recipient_var(fe) is False for fe in node.extra_context.values()):
                return False
            counter = getattr(node, "counter", None)
            if counter is not None and _plain_recipient_var(counter) is not None:
                return False
            continue
        token = getattr(node, "token", None)
        if token is not None and _MENTION.search(token.contents):
            return False
    return True


def _markers(tag: str) -> tuple[str, ...]:
    # Letters and digits only: they pass through escaping unchanged.
    nonce = secrets.token_hex(6)
    return tuple(f"Zq{tag}{nonce}{i}{tag * (i + 2)}Qz" for i in range(len(SLOTS)))


def _split(rendered: str, markers: tuple[str, ...]) -> list[str | int]:
    pattern = re.compile("|".join(re.escape(m) for m in markers))
    pieces: list[str | int] = []
    position = 0
    for match in pattern.finditer(rendered):
        pieces.append(rendered[position : match.start()])
        pieces.append(markers.index(match.group(0)))
        position = match.end()
    pieces.append(rendered[position:])
    return pieces


def _probe_context(static: dict[str, Any], markers: tuple[str, ...], name: bool) -> dict[str, Any]:
    return {
        **static,
        "recipient": {"name": markers[0] if name else "", "email": markers[1]},
        "links": {"unsubscribe": markers[2], "preferences": markers[3]},
    }


def _part_compile(
    template: Template, static: dict[str, Any], *, escape: bool, has_name: bool
) -> _Part:
    part = _Part(pieces=None, template=template, escape=escape, static_context=static)
    if not _substitutable(template):
        return part
    first, second = _markers("A"), _markers("B")
    a = _split(_render(template, _probe_context(static, first, has_name), escape), first)
    b = _split(_render(template, _probe_context(static, second, has_name), escape), second)
    if a == b:
        # str.format joins in C: literal braces doubled, each slot a positional field.
        part.pieces = "".join(
            p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else f"{{{p}}}" for p in a
        )
    return part


def _render(template: Template, context: dict[str, Any], escape: bool) -> str:
    return str(template.render(Context(context, autoescape=escape)))


def _part_render(
    part: _Part, plain: tuple[str, ...], escaped: tuple[str, ...], language: str
) -> str:
    """`plain` holds the recipient's name, email and two links; `escaped` the same for HTML."""
    if part.pieces is not None:
        return part.pieces.format(*(escaped if part.escape else plain))
    context = {
        **part.static_context,
        "recipient": {"name": plain[0], "email": plain[1]},
        "links": {"unsubscribe": plain[2], "preferences": plain[3]},
    }
    with translation.override(language):
        return _render(part.template, context, part.escape)


@dataclass
class _Compiled:
    subject: _Part
    text: _Part
    html: _Part | None
    footer_text: _Part
    footer_html: _Part | None
    language: str


_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


class MailingRenderer:
    """Renders one mailing for each of its recipients; compiled parts are cached."""

    def __init__(
        self,
        *,
        language: str,
        sets: Mapping[str, TemplateSet],
        variants: Mapping[str, Mapping[str, Any]],
        unsubscribe_extra: str = "",
    ) -> None:
        self.default_language = language
        self.sets = sets
        self.variants = variants
        self.unsubscribe_extra = unsubscribe_extra
        self.available = {code for code, _name in settings.LANGUAGES}
        self.cache: dict[tuple[str, str, bool], _Compiled] = {}
        self.templates: dict[tuple[str, str], Template] = {}

    def language_for(self, wanted: str) -> str:
        wanted = (wanted or "").lower()
        for candidate in (wanted, wanted.split("-")[0]):
            if candidate in self.sets or candidate in self.available:
                return candidate
        return self.default_language

    def _template(self, language: str, which: str) -> Template:
        key = (language, which)
        if key not in self.templates:
            chosen = self.sets.get(language) or self.sets[self.default_language]
            source = getattr(chosen, which)
            self.templates[key] = template_compile(source)
        return self.templates[key]

    def _compile(self, language: str, variant: str, has_name: bool) -> _Compiled:
        chosen = self.sets.get(language) or self.sets[self.default_language]
        if variant and variant not in self.variants:
            raise RenderError(f"the mailing has no variant {variant!r} for this recipient")
        static = {
            "base_url": settings.URGENT_BASE_URL,
            "language": language,
            **chosen.context,
            **(self.variants.get(variant) or {}),
        }
        with translation.override(language):
            subject = _part_compile(
                self._template(language, "subject"), static, escape=False, has_name=has_name
            )
            text = _part_compile(
                self._template(language, "text"), static, escape=False, has_name=has_name
            )
            html = None
            if chosen.html.strip():
                html = _part_compile(
                    self._template(language, "html"), static, escape=True, has_name=has_name
                )
            footer_text = _part_compile(
                get_template("mailings/footer.txt").template,  # type: ignore[attr-defined]
                static,
                escape=False,
                has_name=has_name,
            )
            footer_html = None
            if html is not None:
                footer_html = _part_compile(
                    get_template("mailings/footer.html").template,  # type: ignore[attr-defined]
                    static,
                    escape=True,
                    has_name=has_name,
                )
        return _Compiled(subject, text, html, footer_text, footer_html, language)

    def render(self, recipient: Recipient) -> Rendered:
        language = self.language_for(recipient.language)
        key = (language, recipient.variant, bool(recipient.name))
        compiled = self.cache.get(key)
        if compiled is None:
            try:
                compiled = self._compile(*key)
            except RenderError:
                raise
            except Exception as exc:
                raise RenderError(f"{type(exc).__name__}: {exc}") from exc
            if len(self.cache) < 4096:
                self.cache[key] = compiled
        unsubscribe = supporter_url(
            supporter_uuid=recipient.supporter_uuid,
            purpose="unsubscribe",
            extra=self.unsubscribe_extra,
        )
        preferences = supporter_url(supporter_uuid=recipient.supporter_uuid, purpose="preferences")
        plain = (recipient.name, recipient.email, unsubscribe, preferences)
        escaped = tuple(html_lib.escape(v) for v in plain)
        try:
            subject = _part_render(compiled.subject, plain, escaped, language)
            text = _part_render(compiled.text, plain, escaped, language)
            footer_text = _part_render(compiled.footer_text, plain, escaped, language)
            text = text.rstrip() + "\n\n-- \n" + footer_text.strip() + "\n"
            body_html = None
            if compiled.html is not None and compiled.footer_html is not None:
                body_html = _part_render(compiled.html, plain, escaped, language)
                footer = _part_render(compiled.footer_html, plain, escaped, language)
                ends = list(_BODY_END.finditer(body_html))
                if ends:
                    at = ends[-1].start()
                    body_html = body_html[:at] + footer + body_html[at:]
                else:
                    body_html += footer
        except Exception as exc:
            raise RenderError(f"{type(exc).__name__}: {exc}") from exc
        subject = " ".join(subject.split())
        if not subject:
            raise RenderError("the subject is empty for this recipient")
        return Rendered(subject=subject, text=text, html=body_html, unsubscribe_url=unsubscribe)


def template_check(source: str) -> str | None:
    """None when the source parses; otherwise the reason, for a person to fix."""
    try:
        template_compile(source)
    except TemplateSyntaxError as exc:
        return str(exc)
    return None
