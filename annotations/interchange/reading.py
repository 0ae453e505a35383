"""JSON from a file someone sent, read so that no file can crash the reader.

Python's json raises RecursionError on deep nesting (100,000 brackets) and ValueError on an integer of more
than 4,300 digits: both were 500s. Here nesting is bounded (Hamish JSON needs 7 levels, a doccano line 3),
long integers are kept as their text and refused with their place, and NaN/Infinity (which Python accepts,
JSON does not) are refused too. Every refusal says where: the JSON path, or the line and column.
"""

import json
import re

from django.utils.translation import gettext as _

MAX_DEPTH = 64
MAX_DIGITS = 18  # every integer Hamish keeps fits a 64-bit column; offsets and ids are far smaller


class UnsafeJson(ValueError):
    """The JSON is well-formed but cannot be taken in; `problems` says where and why."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class _LongNumber:
    """An integer too long to convert, kept as its digits until it is reported."""

    __slots__ = ("digits",)

    def __init__(self, digits):
        self.digits = digits


class _NotANumber:
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def _integer(text):
    digits = len(text) - text.startswith("-")
    return _LongNumber(digits) if digits > MAX_DIGITS else int(text)


def loads(text, *, limit=30):
    """json.loads(text), or UnsafeJson (too deep, a number too long, NaN); json.JSONDecodeError as usual."""
    try:
        value = json.loads(text, parse_int=_integer, parse_constant=_NotANumber)
    except RecursionError:
        raise UnsafeJson(
            [
                _("The JSON is nested more than %(max)s levels deep (from %(where)s).")
                % {"max": MAX_DEPTH, "where": _too_deep_at(text)}
            ]
        ) from None
    problems = _problems(value, limit)
    if problems:
        raise UnsafeJson(problems)
    return value


def path_text(path):
    return "/".join(map(str, path)) or _("(the document)")


def _problems(value, limit):
    """Walk the parsed value (without recursion: the depth is what is being checked)."""
    problems, stack = [], [(value, ())]
    while stack and len(problems) < limit:
        value, path = stack.pop()
        if isinstance(value, (dict, list)):
            if len(path) >= MAX_DEPTH:
                problems.append(
                    _("%(where)s: nested more than %(max)s levels deep.") % {"where": path_text(path), "max": MAX_DEPTH}
                )
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, (*path, key)) for key, item in reversed(list(items)))
        elif isinstance(value, _LongNumber):
            problems.append(
                _("%(where)s: a number with %(digits)s digits; numbers here have at most %(max)s.")
                % {"where": path_text(path), "digits": f"{value.digits:,}", "max": MAX_DIGITS}
            )
        elif isinstance(value, _NotANumber):
            problems.append(
                _("%(where)s: %(value)s is not a number JSON allows.") % {"where": path_text(path), "value": value.text}
            )
    return problems


# A JSON string (skipped whole) or a bracket: found by the regex engine, not a Python loop per character.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _too_deep_at(text):
    """'line L, column C' of the first bracket past MAX_DEPTH."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                position = match.start()
                line = text.count("\n", 0, position) + 1
                return _("line %(line)s, column %(column)s") % {
                    "line": line,
                    "column": position - (text.rfind(chr(10), 0, position) + 1) + 1,
                }
        elif token in "]}":
            depth -= 1
    return "somewhere in the file"
