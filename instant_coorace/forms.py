"""The base of every form of the site: each field gets the input rule of
``instant_coorace.inputs`` from its type, so a new form cannot forget it.

- one-line text (``StringField`` and its kinds: e-mail, search, URL, hidden):
  line breaks and tabs become one space, the ends are trimmed, other control
  characters are refused with a French message next to the field;
- several lines (``TextAreaField``): lines end in ``\\n``, tabs stay, other
  control characters are refused;
- whole numbers: within the ``integer`` columns (tighter bounds stay the form's);
- dates and date-times: between ``EARLIEST_YEAR`` and ``LATEST_YEAR``;
- choices, check boxes: refused if the submitted value holds a control character.

Passwords are left exactly as typed (only their hash is stored) and files are
checked by what reads them.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeField,
    Field,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import Form as WTForm
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

from instant_coorace import inputs

RELOAD = "Rechargez la page et réessayez."


class RefuseControlCharacters:
    """The field's text (or, for a choice, what was submitted) holds no control character."""

    def __init__(self, *, multi_line: bool = False, submitted: bool = False) -> None:
        self.multi_line = multi_line
        self.submitted = submitted

    def __call__(self, form, field: Field) -> None:
        values = (field.raw_data or ()) if self.submitted else (field.data,)
        if any(
            isinstance(value, str)
            and inputs.has_control_character(value, multi_line=self.multi_line)
            for value in values
        ):
            raise StopValidation(inputs.INVISIBLE_CHARACTER)


class WithinColumn:
    """A whole number the ``integer`` column can store."""

    field_flags = {"min": inputs.MIN_INTEGER, "max": inputs.MAX_INTEGER}

    def __call__(self, form, field: Field) -> None:
        if field.data is None:
            return
        if field.data > inputs.MAX_INTEGER:
            raise StopValidation("Ce nombre est trop grand.")
        if field.data < inputs.MIN_INTEGER:
            raise StopValidation("Ce nombre est trop petit.")


class WithinYears:
    """A date the federation can plan for; year 1 or 9999 is a typing slip
    (and beyond what Paris time can be converted to UTC)."""

    def __call__(self, form, field: Field) -> None:
        if field.data is not None and not (
            inputs.EARLIEST_YEAR <= field.data.year <= inputs.LATEST_YEAR
        ):
            raise StopValidation(
                f"Indiquez une date entre {inputs.EARLIEST_YEAR} et {inputs.LATEST_YEAR}."
            )


def obey_input_rules(field: Field) -> Field:
    """``field`` with the rule of its type added before its own filters and validators."""
    if isinstance(field, PasswordField | FileField | FormField | TimeField):
        return field  # a subform's fields get the rule from their own form
    if isinstance(field, FieldList):
        field.unbound_field = _RuledRows(field.unbound_field)
    elif isinstance(field, TextAreaField):
        _add(field, inputs.multi_line, RefuseControlCharacters(multi_line=True))
    elif isinstance(field, StringField):
        _add(field, inputs.single_line, RefuseControlCharacters())
    elif isinstance(field, IntegerField):
        _add(field, None, WithinColumn())
    elif isinstance(field, DateTimeField):
        _add(field, None, WithinYears())
    else:
        _add(field, None, RefuseControlCharacters(submitted=True))
    return field


def _add(field: Field, text_filter, validator) -> None:
    if text_filter is not None:
        field.filters = (text_filter, *field.filters)
    field.validators = [validator, *field.validators]
    for flag, value in getattr(validator, "field_flags", {}).items():
        if getattr(field.flags, flag) is None:
            setattr(field.flags, flag, value)


class _RuledRows:
    """The unbound field of a ``FieldList``, each row it makes bound with the rule."""

    def __init__(self, unbound_field) -> None:
        self.unbound_field = unbound_field

    def bind(self, *args, **kwargs) -> Field:
        return obey_input_rules(self.unbound_field.bind(*args, **kwargs))


class _InputRulesMeta:
    """Mixed into a form's ``Meta``: binding a field adds its rule."""

    def bind_field(self, form, unbound_field, options) -> Field:
        return obey_input_rules(super().bind_field(form, unbound_field, options))


class SiteForm(FlaskForm):
    """A form posted to the site: CSRF-protected, French, with the input rule."""

    class Meta(_InputRulesMeta):
        pass


class PlainForm(WTForm):
    """A form without CSRF or Flask, with the input rule: the rows of a
    ``FieldList``, filters read from the query string."""

    class Meta(_InputRulesMeta):
        locales = ("fr_FR", "fr")


class HiddenIdField(IntegerField):
    """The id of the row a part of the form edits, carried by the page; empty
    for a new row. Anything but an id means the page was tampered with or is
    stale."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.data = inputs.database_id(text) if text else None
        if text and self.data is None:
            raise ValueError(RELOAD)
