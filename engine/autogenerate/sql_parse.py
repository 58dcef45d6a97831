"""Parsing a SQL expression (a CHECK constraint, an index predicate) into the
tree of ``sql_nodes``: a tokenizer and a precedence-climbing parser that knows
the spellings PostgreSQL, MariaDB/MySQL and SQLite give back (``::`` casts,
``ARRAY[...]``, backquotes, ``MOD``, ``TRIM(BOTH FROM x)``, ``CASE``...).
Whatever it does not know raises ``Unparsable``.
"""

from __future__ import annotations

import re

from engine.autogenerate.sql_nodes import (
    COMPARE,
    NILADIC,
    Node,
    Unparsable,
    between,
    cast,
    comparison,
    function,
    in_list,
    logical,
    negation,
    number,
)

__all__ = ["parse"]


def parse(text: str, dialect_name: str) -> Node:
    """The tree of ``text``; raises ``Unparsable``."""
    mysql = dialect_name in ("mysql", "mariadb")
    tokens = tokenize(text, mysql=mysql, sqlite=dialect_name == "sqlite")
    parser = Parser(tokens, mysql=mysql)
    node = parser.expression(0)
    if parser.peek() is not None:
        raise Unparsable("text after the expression")
    return node


# ------------------------------------------------------------------ tokens


# kinds: "word" (lowercased), "ident" (quoted identifier), "str", "num", "op"
Token = tuple[str, str]

_OPERATORS = sorted(
    [
        "::", "<=>", "<>", "!=", ">=", "<=", "==", "||", "&&", "!~~*", "!~~", "~~*", "~~",
        "!~*", "~*", "!~", "->>", "->", "#>>", "#>", "@>", "<@", "<<", ">>",
        "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", "[", "]", "~", "!",
        "@", "#", "^", "&", "|", "?",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WORD = re.compile(r"[^\W\d]\w*|\$\w+", re.UNICODE)


def _quoted(text: str, pos: int, quote: str, backslash: bool) -> tuple[str, int]:
    """The content of the quoted token at ``pos`` and the position after it."""
    close = "]" if quote == "[" else quote
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if backslash and ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(nxt, nxt))
            i += 2
            continue
        if ch == close:
            if close != "]" and i + 1 < len(text) and text[i + 1] == close:
                out.append(close)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise Unparsable(f"unterminated {quote}")


def tokenize(text: str, *, mysql: bool, sqlite: bool) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "'" or (ch == '"' and mysql):
            value, i = _quoted(text, i, ch, backslash=mysql)
            if tokens and tokens[-1][0] == "word" and _is_string_prefix(tokens[-1][1]):
                tokens.pop()  # E'...', N'...', _utf8mb4'...'
            tokens.append(("str", value))
            continue
        if ch in '"`' or (ch == "[" and sqlite):
            value, i = _quoted(text, i, ch, backslash=False)
            tokens.append(("ident", value.lower()))
            continue
        match = _NUMBER.match(text, i)
        if match and (ch.isdigit() or ch == "."):
            tokens.append(("num", match.group(0)))
            i = match.end()
            continue
        match = _WORD.match(text, i)
        if match:
            tokens.append(("word", match.group(0).lower()))
            i = match.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(("op", op))
                i += len(op)
                break
        else:
            raise Unparsable(f"unexpected {ch!r}")
    return tokens


def _is_string_prefix(word: str) -> bool:
    return word in ("e", "n") or (word.startswith("_") and len(word) > 1)


# ------------------------------------------------------------------ parsing

# binding powers, loosest first (PostgreSQL's order; MySQL's agrees where it matters)
_OR, _AND, _NOT, _IS, _CMP, _LIKE, _OTHER, _ADD, _MUL, _POW, _AT, _UNARY, _POSTFIX = (
    10,
    20,
    30,
    40,
    50,
    55,
    60,
    70,
    80,
    85,
    87,
    90,
    100,
)

_TYPED_LITERALS = {"date", "time", "timestamp", "interval", "timestamptz"}

_TYPE_CONTINUATIONS = {"varying", "precision", "with", "without", "time", "zone", "unsigned"}


class Parser:
    def __init__(self, tokens: list[Token], *, mysql: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.mysql = mysql

    # -- helpers

    def peek(self, ahead: int = 0) -> Token | None:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise Unparsable("unexpected end")
        self.pos += 1
        return token

    def at(self, kind: str, *values: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token[0] == kind and (not values or token[1] in values)

    def word(self, *values: str, ahead: int = 0) -> bool:
        return self.at("word", *values, ahead=ahead)

    def op(self, *values: str, ahead: int = 0) -> bool:
        return self.at("op", *values, ahead=ahead)

    def expect_op(self, value: str) -> None:
        if not self.op(value):
            raise Unparsable(f"expected {value!r}")
        self.pos += 1

    def expect_word(self, value: str) -> None:
        if not self.word(value):
            raise Unparsable(f"expected {value!r}")
        self.pos += 1

    # -- expressions

    def expression(self, min_power: int) -> Node:
        left = self.prefix()
        while True:
            step = self.infix(left, min_power)
            if step is None:
                return left
            left = step

    def prefix(self) -> Node:
        kind, value = self.next()
        if kind == "num":
            return number(value)
        if kind == "str":
            return ("str", value)
        if kind == "ident":
            return self.name_or_call(value)
        if kind == "op":
            if value == "(":
                inner = self.expression(0)
                if self.op(","):  # a row: (a, b)
                    items = [inner]
                    while self.op(","):
                        self.pos += 1
                        items.append(self.expression(0))
                    self.expect_op(")")
                    return ("list", tuple(items))
                self.expect_op(")")
                return inner
            if value == "-":
                operand = self.expression(_UNARY)
                if operand[0] == "num":
                    return number("-" + operand[1]) if not operand[1].startswith("-") else operand
                return ("neg", operand)
            if value == "+":
                return self.expression(_UNARY)
            if value == "!" and self.mysql:
                return negation(self.expression(_UNARY))
            if value == "*":
                return ("star",)
            raise Unparsable(f"unexpected {value!r}")
        return self.keyword(value)

    def keyword(self, value: str) -> Node:
        if value == "not":
            return negation(self.expression(_NOT))
        if value == "null":
            return ("null",)
        if value in ("true", "false"):
            return ("num", "1" if value == "true" else "0")
        if value == "case":
            return self.case()
        if value == "cast" and self.op("("):
            self.pos += 1
            inner = self.expression(0)
            self.expect_word("as")
            type_words = self.skip_to_close()
            return cast(inner, type_words)
        if value == "array" and self.op("["):
            self.pos += 1
            items = self.items("]")
            return ("array", items)
        if value in _TYPED_LITERALS and self.at("str"):
            return cast(("str", self.next()[1]), [value])  # date '2020-01-01': a cast
        if value in ("exists", "select"):
            raise Unparsable("subquery")
        return self.name_or_call(value)

    def name_or_call(self, name: str) -> Node:
        while self.op(".") and (self.at("word", ahead=1) or self.at("ident", ahead=1)):
            self.pos += 1
            name = self.next()[1]  # a qualified name: the last part
        if self.op("("):
            self.pos += 1
            if name == "trim":
                return self.trim()
            return function(name, self.items(")", keyword_separators=True))
        if name in NILADIC:
            return ("fn", name, ())
        return ("col", name)

    def items(self, close: str, keyword_separators: bool = False) -> tuple[Node, ...]:
        """Expressions separated by commas up to ``close`` (in a function call,
        SQL's FROM / FOR / IN separators too: ``substring(x FROM 1 FOR 2)``)."""
        out: list[Node] = []
        if self.op(close):
            self.pos += 1
            return ()
        if self.word("distinct"):
            raise Unparsable("aggregate")
        while True:
            out.append(self.expression(0))
            if self.op(","):
                self.pos += 1
                continue
            if keyword_separators and self.word("from", "for", "in"):
                self.pos += 1
                continue
            self.expect_op(close)
            return tuple(out)

    def trim(self) -> Node:
        name = "trim"
        if self.word("both", "leading", "trailing"):
            name = {"both": "trim", "leading": "ltrim", "trailing": "rtrim"}[self.next()[1]]
        chars: Node | None = None
        if self.word("from"):
            self.pos += 1
        else:
            first = self.expression(0)
            if self.word("from"):
                self.pos += 1
                chars = first
            else:
                self.expect_op(")")
                return function(name, (first,))
        target = self.expression(0)
        self.expect_op(")")
        return function(name, (target,) if chars is None else (target, chars))

    def case(self) -> Node:
        operand = None if self.word("when") else self.expression(0)
        branches: list[tuple[Node, Node]] = []
        while self.word("when"):
            self.pos += 1
            when = self.expression(0)
            self.expect_word("then")
            branches.append((when, self.expression(0)))
        otherwise = None
        if self.word("else"):
            self.pos += 1
            otherwise = self.expression(0)
        self.expect_word("end")
        if not branches:
            raise Unparsable("CASE without WHEN")
        return ("case", operand, tuple(branches), otherwise)

    def skip_to_close(self) -> list[str]:
        """The words of a type up to the ``)`` closing a CAST (consumed)."""
        depth = 0
        words: list[str] = []
        while True:
            kind, value = self.next()
            if kind == "op" and value == "(":
                depth += 1
            elif kind == "op" and value == ")":
                if depth == 0:
                    return words
                depth -= 1
            elif kind in ("word", "ident") and depth == 0:
                words.append(value)

    def type_name(self) -> list[str]:
        """The type after ``::`` (``character varying(20)[]``, ``public.mood``)."""
        kind, value = self.next()
        if kind not in ("word", "ident"):
            raise Unparsable("type name expected")
        words = [value]
        while True:
            if self.op(".") and (self.at("word", ahead=1) or self.at("ident", ahead=1)):
                self.pos += 1
                words = [self.next()[1]]
            elif self.word(*_TYPE_CONTINUATIONS):
                words.append(self.next()[1])
            elif self.op("("):
                self.pos += 1
                self.skip_to_close()
            elif self.op("[") and (self.op("]", ahead=1) or self.op("]", ahead=2)):
                self.pos += 2 if self.op("]", ahead=1) else 3
            else:
                return words

    def infix(self, left: Node, min_power: int) -> Node | None:
        token = self.peek()
        if token is None:
            return None
        kind, value = token
        if kind == "op":
            return self.infix_operator(left, value, min_power)
        if kind != "word":
            return None
        if value == "or" and min_power < _OR:
            self.pos += 1
            return logical("or", left, self.expression(_OR + 1))
        if value == "and" and min_power < _AND:
            self.pos += 1
            return logical("and", left, self.expression(_AND + 1))
        if value == "is" and min_power < _IS:
            self.pos += 1
            return self.is_test(left)
        if value in ("isnull", "notnull") and min_power < _IS:
            self.pos += 1
            return ("cmp", "is null" if value == "isnull" else "is not null", left)
        if value in ("mod", "div") and min_power < _MUL:
            self.pos += 1
            return ("op", "%" if value == "mod" else "div", left, self.expression(_MUL + 1))
        if value == "at" and self.word("time", ahead=1) and self.word("zone", ahead=2):
            if min_power >= _AT:
                return None
            self.pos += 3
            return ("op", "at time zone", left, self.expression(_AT))
        if value == "collate" and min_power < _POSTFIX:
            self.pos += 1
            return ("collate", left, self.type_name()[-1])
        negated = False
        ahead = 0
        if value == "not" and self.word("like", "ilike", "in", "between", "similar", ahead=1):
            negated, ahead = True, 1
            value = self.peek(1)[1]  # type: ignore[index]
        if value == "in" and not self.op("(", ahead=ahead + 1):
            return None  # ``position(a IN b)``: a separator
        if value in ("like", "ilike", "in", "between", "similar") and min_power < _LIKE:
            self.pos += 1 + ahead
            return self.predicate(left, value, negated)
        return None

    def is_test(self, left: Node) -> Node:
        negated = False
        if self.word("not"):
            self.pos += 1
            negated = True
        kind, value = self.next()
        if kind == "word" and value in ("null", "true", "false", "unknown"):
            test = "is not " + value if negated else "is " + value
            return ("cmp", test, left)
        if kind == "word" and value == "distinct":
            self.expect_word("from")
            right = self.expression(_IS + 1)
            return ("cmp", "is not distinct from" if negated else "is distinct from", left, right)
        raise Unparsable("IS ...")

    def predicate(self, left: Node, word: str, negated: bool) -> Node:
        if word == "in":
            self.expect_op("(")
            return in_list(left, self.items(")"), negated)
        if word == "between":
            if self.word("symmetric"):
                raise Unparsable("BETWEEN SYMMETRIC")
            low = self.expression(_LIKE + 1)
            self.expect_word("and")
            high = self.expression(_LIKE + 1)
            return between(left, low, high, negated)
        if word == "similar":
            self.expect_word("to")
        pattern = self.expression(_LIKE + 1)
        node: Node = ("cmp", ("not " if negated else "") + word, left, pattern)
        if self.word("escape"):
            self.pos += 1
            node = (*node, self.expression(_LIKE + 1))
        return node

    def infix_operator(self, left: Node, value: str, min_power: int) -> Node | None:
        if value == "::":
            if min_power >= _POSTFIX:
                return None
            self.pos += 1
            return cast(left, self.type_name())
        if value == "[":
            if min_power >= _POSTFIX:
                return None
            self.pos += 1
            index = self.expression(0)
            self.expect_op("]")
            return ("subscript", left, index)
        if value in ("=", "==", "<>", "!=", "<", ">", "<=", ">=", "<=>"):
            power, op = _CMP, {"==": "=", "!=": "<>"}.get(value, value)
        elif value in ("~~", "~~*", "!~~", "!~~*"):
            power = _LIKE
            op = {"~~": "like", "~~*": "ilike", "!~~": "not like", "!~~*": "not ilike"}[value]
        elif value in ("+", "-"):
            power, op = _ADD, value
        elif value in ("*", "/", "%"):
            power, op = _MUL, value
        elif value == "^":
            power, op = _POW, value
        elif value == "||" and self.mysql:
            if min_power >= _OR:
                return None
            self.pos += 1
            return logical("or", left, self.expression(_OR + 1))
        elif value == "&&" and self.mysql:
            if min_power >= _AND:
                return None
            self.pos += 1
            return logical("and", left, self.expression(_AND + 1))
        elif value in ("(", ")", ",", ".", "]"):
            return None
        else:
            power, op = _OTHER, value  # ||, ~, @>, ->> ...
        if min_power >= power:
            return None
        self.pos += 1
        right = self.expression(power)
        if op in COMPARE:
            return comparison(op, left, right)
        if power == _LIKE:
            return ("cmp", op, left, right)
        return ("op", op, left, right)
