"""The rules editor: a Django form built from a pydantic model's JSON schema.

Office staff edit a cycle's rules with labels, hints and choices instead of raw JSON. The form
knows nothing of any section: it reads the model's schema (titles, descriptions, enums,
defaults, the editor hints of ``rules.LONG_TEXT``, ``ORDERED`` and ``labelled``), so it works for
the spine's sections and for whatever an instrument adds.

- One input per leaf, named by its path: ``rubric.criteria.2.weight``.
- Text inputs, text areas for long text, selects for ``Literal``/enum values, checkboxes for
  true/false, number inputs for whole numbers and amounts.
- A list of objects is a fieldset per entry plus one blank entry to add another: a blank entry
  is ignored, and an entry whose every input is empty (checkboxes left as they were) is dropped,
  so staff delete an entry by clearing it.
- A list of plain strings is one text area, one value a line; a list drawn from a few values is a
  set of checkboxes (a text area when the order counts); a mapping of names to amounts (the
  funding caps) is a row of name and amount per entry.

``is_valid`` puts the inputs back together as a document and checks it with the rules' own
checks (``rules.model_problems``, what ``rules_errors`` uses): each problem lands on the input
whose path it names, the rest among the non-field errors. ``document`` is then the checked
document, JSON-ready (amounts and shares as strings).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from pydantic import BaseModel, ValidationError

from playbook.core.params import ascii_int

from .rules import RulesProblem, model_problems, rules_document

#: No list takes more entries than this from a posted form, nor all of them together more
#: than ``MAX_ROWS_IN_ALL`` (a post names its own counts).
MAX_ROWS = 100
MAX_ROWS_IN_ALL = 1000
ROWS = "__rows"  # a list's hidden count of entries: ``rubric.criteria.__rows``


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


# --- the schema, read into a tree -------------------------------------------------------------


@dataclass
class _Node:
    name: str
    title: str
    description: str = ""
    required: bool = False  # the parent must have it and it has no default
    nullable: bool = False
    default: Any = MISSING


@dataclass
class _Leaf(_Node):
    #: text, textarea, integer, decimal, boolean, choice, choices (checkboxes), lines, json
    kind: str = "text"
    choices: list[tuple[str, str]] = _field(default_factory=list)
    attrs: dict[str, str] = _field(default_factory=dict)
    ordered: bool = False

    @property
    def listlike(self) -> bool:
        return self.kind in ("choices", "lines")

    @property
    def empty_value(self) -> Any:
        """What this input holds when nobody has touched it: checkboxes and lists as their
        default, everything else blank."""
        if self.kind == "boolean":
            return bool(self.default) if self.default is not MISSING else False
        if self.listlike:
            return list(self.default) if isinstance(self.default, list) else []
        return MISSING


@dataclass
class _Group(_Node):
    children: list[_Node] = _field(default_factory=list)

    def child(self, name: str) -> _Node | None:
        return next((c for c in self.children if c.name == name), None)


@dataclass
class _Rows(_Node):
    item: _Node = _field(default_factory=lambda: _Leaf(name="", title=""))


@dataclass
class _Pairs(_Node):
    key: _Leaf = _field(default_factory=lambda: _Leaf(name="key", title="Name"))
    value: _Leaf = _field(default_factory=lambda: _Leaf(name="value", title="Value"))


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with ``$ref`` (and a lone ``allOf``) replaced by its target; the field's own
    keys (title, description, default) win over the target's."""
    out = dict(schema)
    for _ in range(32):
        if "$ref" in out:
            target = defs[str(out.pop("$ref")).rsplit("/", 1)[-1]]
            out = {**target, **out}
        elif isinstance(out.get("allOf"), list) and len(out["allOf"]) == 1:
            inner = out.pop("allOf")[0]
            out = {**_resolve(inner, defs), **out}
        else:
            break
    return out


def _is_decimal(options: list[dict[str, Any]]) -> bool:
    kinds = {o.get("type") for o in options}
    return kinds == {"number", "string"}


def _compile(schema: Mapping[str, Any], defs: Mapping[str, Any], *, name: str,
             required: bool) -> _Node:
    s = _resolve(schema, defs)
    nullable = False
    decimal = False
    if isinstance(s.get("anyOf"), list):
        options = [_resolve(o, defs) for o in s["anyOf"]]
        rest = [o for o in options if o.get("type") != "null"]
        nullable = len(rest) < len(options)
        flat: list[dict[str, Any]] = []
        for o in rest:  # pydantic nests Decimal | None as anyOf [anyOf [number, string], null]
            flat.extend(_resolve(x, defs) for x in o["anyOf"]) if "anyOf" in o else flat.append(o)
        outer = {k: v for k, v in s.items() if k != "anyOf"}
        if _is_decimal(flat):
            decimal = True
            s = {**{k: v for o in flat for k, v in o.items() if k != "type"}, **outer}
        elif len(flat) == 1:
            s = {**flat[0], **outer}
        else:
            s = outer
    common: dict[str, Any] = {
        "name": name,
        "title": str(s.get("title") or name.replace("_", " ").capitalize()),
        "description": str(s.get("description") or ""),
        "required": required and "default" not in s,
        "nullable": nullable,
        "default": s.get("default", MISSING),
    }
    kind = s.get("type")
    labels = _labels(s.get("x-labels"))
    if decimal or kind == "number":
        return _Leaf(**common, kind="decimal", attrs=_limits(s, step="any"))
    if "enum" in s or "const" in s:
        values = [str(v) for v in (s["enum"] if "enum" in s else [s["const"]])]
        return _Leaf(**common, kind="choice", choices=[(v, labels.get(v, v)) for v in values])
    if kind == "boolean":
        return _Leaf(**common, kind="boolean")
    if kind == "integer":
        return _Leaf(**common, kind="integer", attrs=_limits(s, step="1"))
    if kind == "string":
        long = s.get("x-widget") == "textarea" or int(s.get("maxLength") or 0) > 200
        return _Leaf(**common, kind="textarea" if long else "text")
    if kind == "array" and isinstance(s.get("items"), Mapping):
        item = _resolve(s["items"], defs)
        if item.get("type") == "object" and "properties" in item:
            return _Rows(**common, item=_compile(item, defs, name="", required=False))
        if "enum" in item:
            values = [str(v) for v in item["enum"]]
            choices = [(v, labels.get(v, v)) for v in values]
            ordered = bool(s.get("x-ordered"))
            return _Leaf(**common, kind="lines" if ordered else "choices", choices=choices,
                         ordered=ordered)
        if item.get("type") in ("string", "number", "integer"):
            return _Leaf(**common, kind="lines")
    if kind == "object" and isinstance(s.get("properties"), Mapping):
        needed = set(s.get("required") or ())
        children = [_compile(sub, defs, name=n, required=n in needed)
                    for n, sub in s["properties"].items()]
        return _Group(**common, children=children)
    if kind == "object" and isinstance(s.get("additionalProperties"), Mapping):
        value = _compile(s["additionalProperties"], defs, name="value", required=False)
        if isinstance(value, _Leaf) and not value.listlike:
            value.title = str(s.get("x-value-title") or "Value")
            key_values = list(labels) or [str(v) for v in
                                          (s.get("propertyNames") or {}).get("enum", [])]
            key = _Leaf(name="key", title=str(s.get("x-key-title") or "Name"),
                        kind="choice" if key_values else "text",
                        choices=[(v, labels.get(v, v)) for v in key_values])
            return _Pairs(**common, key=key, value=value)
    return _Leaf(**common, kind="json")


def _labels(given: Any) -> dict[str, str]:
    """``x-labels`` as {value: words}, from [[value, words], ...] or an object."""
    if isinstance(given, Mapping):
        return {str(k): str(v) for k, v in given.items()}
    if isinstance(given, list):
        return {str(p[0]): str(p[1]) for p in given if isinstance(p, list | tuple) and len(p) == 2}
    return {}


def _limits(s: Mapping[str, Any], *, step: str) -> dict[str, str]:
    attrs = {"step": step}
    low = s.get("minimum", s.get("ge"))
    high = s.get("maximum", s.get("le"))
    if low is not None:
        attrs["min"] = str(low)
    if high is not None:
        attrs["max"] = str(high)
    return attrs


@lru_cache(maxsize=64)
def schema_tree(model: type[BaseModel]) -> _Group:
    """The editor's reading of ``model``'s JSON schema (read once per model; not to be
    changed)."""
    schema = model.model_json_schema(mode="validation")
    root = _compile(schema, schema.get("$defs", {}), name="", required=True)
    assert isinstance(root, _Group), f"{model.__name__} is not an object"
    return root


# --- the form's inputs ------------------------------------------------------------------------


class _Text(forms.CharField):
    """Text as typed: the rules' own checks decide what is wrong, not Django's."""

    def validate(self, value: Any) -> None:
        return None


class _Many(forms.MultipleChoiceField):
    def validate(self, value: Any) -> None:
        return None


class _Checkboxes(forms.CheckboxSelectMultiple):
    """Ticked choices in USWDS markup (``usa-checkbox``)."""

    template_name = "programs/widgets/_checkboxes.html"
    option_template_name = "programs/widgets/_checkbox_option.html"

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__({"class": "usa-checkbox__input", **(attrs or {})}, choices)


@dataclass
class RulesItem:
    """One step of the editor's layout: open a fieldset, an input, a hidden count, close."""

    kind: str  # open, field, hidden, close
    field: forms.BoundField | None = None
    name: str = ""  # the path of a fieldset
    legend: str = ""
    hint: str = ""
    id: str = ""
    level: int = 0
    errors: list[str] = _field(default_factory=list)

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-hint"] if self.hint else []
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def _name(path: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in path)


class RulesForm(forms.Form):
    """A section model's (or a whole document's) editor. ``RulesForm(model=...,
    initial=document)`` to show, ``RulesForm(model=..., initial=document, data=request.POST)``
    to read back: ``is_valid()``, then ``document``."""

    template_name = "programs/_rules_editor.html"

    def __init__(self, *, model: type[BaseModel], initial: Mapping[str, Any] | None = None,
                 data: Mapping[str, Any] | None = None, prefix: str | None = None) -> None:
        super().__init__(data=data, prefix=prefix)
        self.model = model
        self.tree = schema_tree(model)
        self.document: dict[str, Any] | None = None
        self.rules: BaseModel | None = None
        self.problems: list[RulesProblem] = []
        self._plan: list[tuple[str, Any]] = []  # (kind, name or open-item) in order
        self._counts: dict[str, int] = {}
        self._kept: dict[str, list[int]] = {}  # list path -> form rows kept, in document order
        self._pair_rows: dict[str, dict[str, int]] = {}
        self._trails: dict[str, str] = {}
        self._group_errors: dict[str, list[str]] = {}
        self._unreadable = False
        start = _normalized(model, initial) if initial is not None else {}
        for child in self.tree.children:
            self._expand(child, (child.name,), _get(start, child.name), blank=False,
                         level=0, trail=())

    # --- building the inputs ---

    def _expand(self, node: _Node, path: tuple[int | str, ...], value: Any, *, blank: bool,
                level: int, trail: tuple[str, ...]) -> None:
        name = _name(path)
        here = (*trail, node.title)
        if isinstance(node, _Leaf):
            in_row = any(isinstance(p, int) for p in path)
            self.fields[name] = self._input(node, value, blank=blank, in_row=in_row)
            self._trails[name] = " / ".join(here)
            self._plan.append(("field", name))
            return
        hint = node.description
        if isinstance(node, _Rows | _Pairs):
            more = ("Clear every box of an entry to remove it; fill in the blank entry at the "
                    "end to add one.")
            hint = f"{hint} {more}".strip()
        self._plan.append(("open", self._open(name, node.title, hint, level)))
        if isinstance(node, _Group):
            for child in node.children:
                self._expand(child, (*path, child.name), _get(value, child.name), blank=blank,
                             level=level + 1, trail=here)
        elif isinstance(node, _Rows):
            rows = list(value) if isinstance(value, list | tuple) and not blank else []
            count = self._row_count(name, len(rows) + 1)
            self._hidden(f"{name}.{ROWS}", count)
            for i in range(count):
                last = not self.is_bound and i == len(rows)
                legend = f"New {node.item.title.lower()}" if last else f"{node.item.title} {i + 1}"
                row_value = rows[i] if i < len(rows) else MISSING
                self._row(node.item, (*path, i), row_value, blank=blank or last, level=level + 1,
                          trail=trail, legend=legend)
        elif isinstance(node, _Pairs):
            pairs = list(value.items()) if isinstance(value, Mapping) and not blank else []
            count = self._row_count(name, len(pairs) + 1)
            self._hidden(f"{name}.{ROWS}", count)
            for i in range(count):
                key, amount = pairs[i] if i < len(pairs) else (MISSING, MISSING)
                legend = f"Entry {i + 1}" if i < len(pairs) or self.is_bound else "New entry"
                self._plan.append(("open", self._open(f"{name}.{i}", legend, "", level + 1)))
                for leaf, v in ((node.key, key), (node.value, amount)):
                    self._expand(leaf, (*path, i, leaf.name), v, blank=True, level=level + 2,
                                 trail=(*here, legend))
                self._plan.append(("close", None))
        self._plan.append(("close", None))

    def _row(self, item: _Node, path: tuple[int | str, ...], value: Any, *, blank: bool,
             level: int, trail: tuple[str, ...], legend: str) -> None:
        if isinstance(item, _Group):
            name = _name(path)
            self._plan.append(("open", self._open(name, legend, "", level)))
            for child in item.children:
                self._expand(child, (*path, child.name), _get(value, child.name), blank=blank,
                             level=level + 1, trail=(*trail, legend))
            self._plan.append(("close", None))
        else:
            self._expand(item, path, value, blank=blank, level=level, trail=trail)

    def _input(self, leaf: _Leaf, value: Any, *, blank: bool, in_row: bool) -> forms.Field:
        hint = leaf.description
        common: dict[str, Any] = {"label": leaf.title, "required": leaf.required and not blank}
        if value is MISSING:
            value = leaf.empty_value if blank or leaf.default is MISSING else leaf.default
            if blank and not leaf.listlike and leaf.kind != "boolean":
                value = MISSING
        # an entry of a list is removed by clearing it, so its selects can be cleared too
        offer_blank = in_row or leaf.nullable or leaf.default is MISSING
        if leaf.kind == "boolean":
            common["required"] = False
            f: forms.Field = forms.BooleanField(initial=bool(value is not MISSING and value),
                                                **common)
        elif leaf.kind == "choice":
            choices = [("", "Choose"), *leaf.choices] if offer_blank else list(leaf.choices)
            f = _Text(widget=forms.Select(choices=choices), initial=_text(value), **common)
        elif leaf.kind == "choices":
            f = _Many(choices=leaf.choices, widget=_Checkboxes,
                      initial=list(value) if isinstance(value, list | tuple) else [], **common)
        elif leaf.kind == "lines":
            if leaf.choices:
                listed = "; ".join(f"{v} ({label})" if label != v else v
                                   for v, label in leaf.choices)
                order = ", in order" if leaf.ordered else ""
                hint = f"{hint} One a line{order}, from: {listed}.".strip()
            else:
                hint = f"{hint} One a line.".strip()
            lines = value if isinstance(value, list | tuple) else []
            f = _Text(widget=forms.Textarea(attrs={"rows": max(3, len(lines) + 1)}),
                      initial="\n".join(str(v) for v in lines), **common)
        elif leaf.kind in ("integer", "decimal"):
            f = _Text(widget=forms.NumberInput(attrs=dict(leaf.attrs)), initial=_text(value),
                      **common)
        elif leaf.kind == "textarea":
            f = _Text(widget=forms.Textarea(attrs={"rows": 3}), initial=_text(value), **common)
        elif leaf.kind == "json":
            hint = f"{hint} Written as JSON.".strip()
            f = _Text(widget=forms.Textarea(attrs={"rows": 4}),
                      initial="" if value is MISSING else json.dumps(value, indent=2), **common)
        else:
            f = _Text(initial=_text(value), **common)
        f.help_text = hint
        return f

    def _hidden(self, name: str, count: int) -> None:
        self.fields[name] = _Text(widget=forms.HiddenInput, initial=count, required=False)
        self._plan.append(("hidden", name))

    def _row_count(self, name: str, unbound: int) -> int:
        """Entries of the list ``name``: as shown (``unbound``), or as posted."""
        if not self.is_bound:
            count = unbound
        else:
            posted = str(self.data.get(self.add_prefix(f"{name}.{ROWS}")) or "")
            count = ascii_int(posted, default=0) or 0
            head = re.escape(self.add_prefix(name) + ".")
            for key in self.data:
                m = re.match(head + r"([0-9]{1,6})\.", str(key))
                if m:
                    count = max(count, int(m.group(1)) + 1)
        count = min(count, MAX_ROWS, MAX_ROWS_IN_ALL - sum(self._counts.values()))
        self._counts[name] = count
        return count

    def _open(self, name: str, legend: str, hint: str, level: int) -> RulesItem:
        return RulesItem("open", name=name, legend=legend, hint=hint, id=self._group_id(name),
                         level=level)

    def _group_id(self, name: str) -> str:
        auto = self.auto_id if isinstance(self.auto_id, str) and "%s" in self.auto_id else "id_%s"
        return auto % self.add_prefix(name)

    # --- reading them back ---

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        document: dict[str, Any] = {}
        for child in self.tree.children:
            value, _ = self._collect(child, (child.name,))
            if value is not MISSING:
                document[child.name] = value
        if self._unreadable:  # JSON that does not parse: checking the rest would only add noise
            return cleaned
        self.problems = model_problems(self.model, document)
        for problem in self.problems:
            target = self._input_for(problem.loc)
            if target is not None:
                self.add_error(target, _sentence(problem.message))
            else:
                group = self._group_for(problem.loc)
                if group is not None:
                    self._group_errors.setdefault(group, []).append(_sentence(problem.message))
                self.add_error(None, str(problem))
        if not self.problems and not self.errors:
            self.rules = self.model.model_validate(document)
            self.document = rules_document(self.rules)
        return cleaned

    def _collect(self, node: _Node, path: tuple[int | str, ...]) -> tuple[Any, bool]:
        """(value, or MISSING to leave it out; whether nothing was entered)."""
        name = _name(path)
        if isinstance(node, _Leaf):
            return self._leaf_value(node, name)
        if isinstance(node, _Group):
            values: dict[str, Any] = {}
            empty = True
            for child in node.children:
                value, child_empty = self._collect(child, (*path, child.name))
                empty = empty and child_empty
                if value is not MISSING:
                    values[child.name] = value
            if empty and node.nullable:
                return None, True
            return values, empty
        if isinstance(node, _Rows):
            rows: list[Any] = []
            kept: list[int] = []
            for i in range(self._counts.get(name, 0)):
                value, empty = self._collect(node.item, (*path, i))
                if not empty and value is not MISSING:
                    rows.append(value)
                    kept.append(i)
            self._kept[name] = kept
            return rows, not rows
        if isinstance(node, _Pairs):
            pairs: dict[str, Any] = {}
            where: dict[str, int] = {}
            for i in range(self._counts.get(name, 0)):
                key, key_empty = self._leaf_value(node.key, f"{name}.{i}.key")
                value, value_empty = self._leaf_value(node.value, f"{name}.{i}.value")
                if key_empty and value_empty:
                    continue
                key = "" if key is MISSING or key is None else str(key)
                if key in where:
                    self.add_error(f"{name}.{i}.key", f"{key!r} is named twice.")
                    continue
                where[key] = i
                pairs[key] = None if value is MISSING else value
            self._pair_rows[name] = where
            return pairs, not pairs
        return MISSING, True  # pragma: no cover - every node is one of the above

    def _leaf_value(self, leaf: _Leaf, name: str) -> tuple[Any, bool]:
        raw = self.cleaned_data.get(name)
        if leaf.kind == "boolean":
            value = bool(raw)
            return value, value == leaf.empty_value
        if leaf.kind == "choices":
            picked = [str(v) for v in raw or []]
            return picked, picked == leaf.empty_value
        text = raw.strip() if isinstance(raw, str) else ""
        if leaf.kind == "lines":
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            return lines, lines == leaf.empty_value
        if not text:
            return (None if leaf.nullable else MISSING), True
        if leaf.kind == "integer":
            return (int(text) if re.fullmatch(r"[+-]?\d+", text) else text), False
        if leaf.kind == "json":
            try:
                return json.loads(text), False
            except json.JSONDecodeError as exc:
                self.add_error(name, f"Not valid JSON: {exc.msg} (line {exc.lineno}, "
                                     f"column {exc.colno}).")
                self._unreadable = True
                return MISSING, False
        return text, False

    def _input_for(self, loc: tuple[int | str, ...]) -> str | None:
        """The input a problem at ``loc`` (a document path) belongs on, if any."""
        node: _Node = self.tree
        parts: list[int | str] = []
        for i, part in enumerate(loc):
            if part == "[key]":
                continue
            if isinstance(node, _Group) and isinstance(part, str):
                child = node.child(part)
                if child is None:
                    return None
                parts.append(part)
                node = child
            elif isinstance(node, _Rows) and isinstance(part, int):
                kept = self._kept.get(_name(tuple(parts)), [])
                if part >= len(kept):
                    return None
                parts.append(kept[part])
                node = node.item
            elif isinstance(node, _Pairs) and isinstance(part, str):
                row = self._pair_rows.get(_name(tuple(parts)), {}).get(part)
                if row is None:
                    return None
                on_key = i + 1 < len(loc) and loc[i + 1] == "[key]"
                return _name((*parts, row, "key" if on_key else "value"))
            else:
                break  # inside a leaf: a line of a text area, one of its checkboxes
        return _name(tuple(parts)) if isinstance(node, _Leaf) else None

    def _group_for(self, loc: tuple[int | str, ...]) -> str | None:
        """The fieldset a problem at ``loc`` belongs to, when no input does."""
        node: _Node = self.tree
        parts: list[int | str] = []
        for part in loc:
            if isinstance(node, _Group) and isinstance(part, str) and node.child(part):
                child = node.child(part)
                assert child is not None
                parts.append(part)
                node = child
            elif isinstance(node, _Rows) and isinstance(part, int):
                kept = self._kept.get(_name(tuple(parts)), [])
                if part >= len(kept):
                    break
                parts.append(kept[part])
                node = node.item
            else:
                break
        return _name(tuple(parts)) if parts else None

    # --- for the template ---

    @property
    def layout(self) -> list[RulesItem]:
        items: list[RulesItem] = []
        for kind, what in self._plan:
            if kind == "open":
                assert isinstance(what, RulesItem)
                items.append(RulesItem("open", legend=what.legend, hint=what.hint, id=what.id,
                                       name=what.name, level=what.level,
                                       errors=self._group_errors.get(what.name, [])))
            elif kind == "close":
                items.append(RulesItem("close"))
            else:
                items.append(RulesItem(kind, field=self[what]))
        return items

    @property
    def error_summary(self) -> list[dict[str, str]]:
        """Every input with a problem, for a list of links above the form."""
        out: list[dict[str, str]] = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            bound = self[name]
            for message in errors:
                text = str(message)
                text = text[:1].lower() + text[1:]
                out.append({"id": bound.id_for_label or bound.auto_id,
                            "text": f"{self._trails.get(name, name)}: {text.rstrip('.')}"})
        return out


def _get(value: Any, name: str) -> Any:
    return value.get(name, MISSING) if isinstance(value, Mapping) else MISSING


def _sentence(message: str) -> str:
    """A problem's plain message as it reads on its own, under its input."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    return str(value)


def _normalized(model: type[BaseModel], document: Mapping[str, Any]) -> Mapping[str, Any]:
    """``document`` with every default written out, when it is valid; as given otherwise (so
    staff can mend it)."""
    try:
        return rules_document(model.model_validate(document))
    except ValidationError:
        return document
