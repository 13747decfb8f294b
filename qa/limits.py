"""Limits on what one question may ask of the service, shared by the CLI, the HTTP API
and the chat, so that no single input can hold up everyone else.

`check_question(text, settings)` returns the question to search (stripped) or raises
`QuestionError`, a ValueError whose message is one line a user can act on. The caps
are settings (qa/settings.py): `max_question_chars`, `max_question_tokens`,
`max_history_turns`, `max_filter_values`. Measured cost of a question at the cap:
docs/hardening.md.
"""

from __future__ import annotations

import re

# A UTF-16 surrogate on its own is not a character: JSON may carry one ("\\ud800"),
# but the tokenizers and the UTF-8 encoder of the response both fail on it.
_SURROGATE = re.compile("[\ud800-\udfff]")


class QuestionError(ValueError):
    """A question (or other request value) the user must change; the message is one line."""


class Busy(RuntimeError):
    """Every worker is taken and the wait for one is over (HTTP 503: try again)."""


def check_text(value, name: str = "question") -> str:
    """`value` as a string with no lone surrogates; QuestionError otherwise.
    The message never echoes the value: it may be huge or not encodable."""
    if value is None:
        raise QuestionError(f"{name} is missing")
    if not isinstance(value, str):
        raise QuestionError(f"{name} must be text, not {type(value).__name__}")
    bad = _SURROGATE.search(value)
    if bad:
        raise QuestionError(f"{name} is not valid Unicode text (a lone surrogate at character {bad.start()})")
    return value


def check_question(text, settings, name: str = "question") -> str:
    """The question stripped, or QuestionError: missing, not text, empty, not valid
    Unicode, or longer than `max_question_chars` characters or `max_question_tokens`
    cl100k_base tokens. The character cap is checked first, so counting tokens is cheap."""
    question = check_text(text, name).strip()
    if not question:
        raise QuestionError(f"{name} is empty")
    if len(question) > settings.max_question_chars:
        raise QuestionError(f"{name} is too long: {len(question):,} characters (at most "
                            f"{settings.max_question_chars:,}); ask about one thing at a time")
    from .tokens import count_tokens
    n = count_tokens(question)
    if n > settings.max_question_tokens:
        raise QuestionError(f"{name} is too long: {n:,} tokens (at most {settings.max_question_tokens:,}); "
                            f"ask about one thing at a time")
    return question


def check_history(history, settings) -> list[str]:
    """Earlier user questions, oldest first: at most `max_history_turns`, each checked
    like a question. None is no history."""
    if history is None:
        return []
    if isinstance(history, str) or not isinstance(history, (list, tuple)):
        raise QuestionError("history must be a list of earlier questions")
    if len(history) > settings.max_history_turns:
        raise QuestionError(f"history has {len(history):,} turns (at most {settings.max_history_turns}); "
                            f"send the latest ones")
    return [check_question(h, settings, name=f"history[{i}]") for i, h in enumerate(history)]


def check_values(values, settings, name: str) -> list[str] | str | None:
    """A filter given as one string or a list of strings (delegation, doc): at most
    `max_filter_values` of them, each valid text."""
    if values is None or isinstance(values, str):
        return values if values is None else check_text(values, name)
    if len(values) > settings.max_filter_values:
        raise QuestionError(f"{name} has {len(values):,} values (at most {settings.max_filter_values})")
    return [check_text(v, f"{name}[{i}]") for i, v in enumerate(values)]
