"""One rename question of autogenerate: "Did you rename x to y?"  No / Yes.

Keyboard-driven: ``y`` answers yes, ``n`` no, ``space`` / ``enter`` / ``←`` /
``→`` switch; the answer starts at No (a drop and an add, as Alembic writes).
Posts ``RenameQuestion.Answered`` when the answer changes.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class RenameQuestion(Widget, can_focus=True):
    """A yes/no answer to ``candidate.question`` (an ``engine`` ``RenameCandidate``)."""

    DEFAULT_CSS = """
    RenameQuestion {
        height: auto;
        width: 100%;
        padding: 0 1;
    }
    RenameQuestion:focus {
        background: $boost;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("space,enter,left,right", "toggle", "Yes/No", show=False),
    ]

    answer: reactive[bool] = reactive(False)

    class Answered(Message):
        """The answer to ``question`` changed to ``yes``."""

        def __init__(self, question: RenameQuestion, yes: bool) -> None:
            super().__init__()
            self.question = question
            self.yes = yes

    def __init__(self, candidate: Any, key: Any, yes: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.candidate = candidate
        self.key = key
        self.set_reactive(RenameQuestion.answer, yes)

    def render(self) -> Text:
        text = Text()
        text.append(self.candidate.question + "  ")
        no_style, yes_style = (
            ("dim", "bold black on green")
            if self.answer
            else (
                "bold black on yellow",
                "dim",
            )
        )
        text.append(" No ", no_style)
        text.append(" ")
        text.append(" Yes ", yes_style)
        return text

    def watch_answer(self, yes: bool) -> None:
        self.post_message(self.Answered(self, yes))

    def action_answer(self, yes: bool) -> None:
        self.answer = yes

    def action_toggle(self) -> None:
        self.answer = not self.answer
