"""Presidio pattern recognizers run over many texts at once.

``AnalyzerEngine.analyze`` costs about 350 µs per text even with no NLP model (measured on
the 8,530 distinct comments of the 10,204-row example: 3.0 s), which makes the free text of
a million-row extract take minutes before any NER. The work itself is a few regular
expressions: here each pattern runs **once** over the texts joined by ``\\x00`` (no pattern
of ours or Presidio's matches that character, and ``\\b``/look-arounds see it as they see a
text boundary), matches are mapped back to their text, and every candidate goes through the
recognizer's own ``validate_result`` / ``invalidate_result`` with Presidio's score rules
(valid -> 1.0, invalid -> dropped). Exactness is kept where the shortcut could differ:

* a match that spans the separator is discarded and that pattern re-run on each text it
  touched, alone;
* a pattern using ``^`` or ``$``, and a recognizer overriding ``analyze`` (our IBAN
  trimming), run per text — the latter only on texts where one of its patterns matches.

Context words raise scores as Presidio's ``LemmaContextAwareEnhancer`` does (+0.35, at
least 0.4, among the five keywords before the span, substring match), with lower-cased
words standing in for spaCy lemmas so it works without a model.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import regex as re
from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult

SEP = "\x00"
CONTEXT_FACTOR = 0.35
CONTEXT_MIN_SCORE = 0.4
CONTEXT_PREFIX = 5
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's French stop words, read from their own file: importing ``spacy.lang.fr`` compiles
    its tokenizer exceptions (seconds of regular expressions), which a run without NER never needs."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("spacy")  # finds the package without importing it
        origin = spec.origin if spec else None
        if origin is None:
            return frozenset()
        path = Path(origin).parent / "lang" / "fr" / "stop_words.py"
        namespace: dict = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - spaCy's data
        return frozenset(namespace["STOP_WORDS"])
    except Exception:  # noqa: BLE001 - spaCy absent or laid out otherwise: every word counts
        return frozenset()


@lru_cache(maxsize=512)
def _compiled(regex: str, flags: int):
    return re.compile(regex, flags=flags)


_ESCAPED = re.compile(r"\\.")
_CLASS = re.compile(r"\[\^?\]?[^\]]*\]")


def anchored(regex: str) -> bool:
    """Whether a pattern uses ``^`` or ``$`` as an anchor (outside escapes and ``[...]``)."""
    bare = _CLASS.sub("", _ESCAPED.sub("", regex))
    return "^" in bare or "$" in bare


#: Necessary conditions of Presidio's generic recognizers (a URL has a dot before its TLD, an
#: e-mail an ``@``, an IP address a colon or a dotted digit pair): their patterns are the
#: slowest to scan (the URL one tries every position), so they run only on texts that pass.
PREFILTERS = {
    "UrlRecognizer": re.compile(r"\.[A-Za-z]"),
    "EmailRecognizer": re.compile(r"@"),
    "IpRecognizer": re.compile(r":|\d\.\d"),
}


#: A digit, and N digits in a row: what every match of most of our patterns holds (dates,
#: numbers, codes, phones...). A pattern whose every match holds N digits in a row
#: (:func:`digit_run`) runs only on the texts that hold as many.
DIGIT = re.compile(r"\d")


@lru_cache(maxsize=64)
def digits_in_a_row(n: int):
    return DIGIT if n == 1 else re.compile(rf"\d{{{n}}}")


def _sre():
    """The standard library's regular-expression parser and its constants (``re`` here is ``regex``)."""
    import importlib

    return importlib.import_module("re._constants"), importlib.import_module("re._parser")


def _digits_only(items) -> bool:
    """Whether a parsed character class (``[...]``) matches digits alone."""
    c = _sre()[0]
    for op, av in items:
        if op is c.LITERAL and DIGIT.fullmatch(chr(av)):
            continue
        if op is c.RANGE and av[1] - av[0] < 100 and all(DIGIT.fullmatch(chr(x)) for x in range(av[0], av[1] + 1)):
            continue
        if op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            continue
        return False
    return True


def _runs(nodes) -> tuple[bool, int, int]:
    """Of a parsed sequence, for every match: whether it consumes digits only, how many
    characters it consumes at least (when digits only), and the longest run of digits it
    surely holds. Unsure (back-references, conditionals...) counts as not digits and no run."""
    c = _sre()[0]
    digits, least, best, run = True, 0, 0, 0
    for op, av in nodes:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):  # consumes nothing: the run goes on across it
            continue
        if op is c.LITERAL or op is c.IN:
            item = (True, 1, 1) if (DIGIT.fullmatch(chr(av)) if op is c.LITERAL else _digits_only(av)) else (False, 1, 0)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            d, m, b = _runs(av[2])
            item = (d, av[0] * m, (av[0] * m if d else b) if av[0] >= 1 else 0)
        elif op is c.SUBPATTERN:
            item = _runs(av[3])
        elif op is c.ATOMIC_GROUP:
            item = _runs(av)
        elif op is c.BRANCH:
            alts = [_runs(a) for a in av[1]]
            item = (all(a[0] for a in alts), min(a[1] for a in alts), min(a[2] for a in alts))
        else:
            item = (False, 0, 0)
        if item[0]:  # digits only: adds to the run (an optional one adds nothing, breaks nothing)
            run += item[1]
            least += item[1]
        else:
            digits, run = False, 0
        best = max(best, run, item[2])
    return digits, least, best


@lru_cache(maxsize=512)
def digit_run(regex: str, flags: int) -> int:
    """How many digits in a row every match of ``regex`` holds (0: maybe none), read from its
    parse (Python's ``re`` parser, which reads our patterns' syntax as the ``regex`` module does);
    0 for a pattern it cannot parse. Look-arounds are not counted (they consume nothing)."""
    try:
        return _runs(_sre()[1].parse(regex, re.VERBOSE if flags & re.VERBOSE else 0))[2]
    except Exception:  # noqa: BLE001 - another Python's parser, or syntax only ``regex`` reads: no shortcut
        return 0


def _lead(nodes) -> tuple[bool, bool]:
    """Of a parsed sequence: whether it may match the empty string, and whether the first
    character of every non-empty match is a digit. Unsure counts as (may be empty, not digit)."""
    c = _sre()[0]
    for op, av in nodes:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):  # consumes nothing
            continue
        if op is c.LITERAL or op is c.IN:
            empty, first = False, bool(DIGIT.fullmatch(chr(av))) if op is c.LITERAL else _digits_only(av)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            e, first = _lead(av[2])
            empty = e or av[0] == 0
        elif op is c.SUBPATTERN:
            empty, first = _lead(av[3])
        elif op is c.ATOMIC_GROUP:
            empty, first = _lead(av)
        elif op is c.BRANCH:
            alts = [_lead(a) for a in av[1]]
            empty, first = any(a[0] for a in alts), all(a[1] for a in alts)
        else:
            return True, False
        if not first:
            return True, False
        if not empty:  # the sequence surely consumes here, a digit first
            return False, True
    return True, True


def _opens_slowly(nodes) -> bool:
    """Whether a parsed pattern opens with a look-behind and then an optional character or a
    branch (``(?<![\\w.,])[0-3]?\\d``, ``(?<![\\w.,])(?:0[1-9]|[1-8]\\d)``): the shapes the ``regex``
    module tries at every position (measured: 3 times slower than the same pattern led by a look-ahead
    on its first character). A branch with an alternative led by a repeated class (``\\d{1,3}...|\\d+``)
    is already fast."""
    c = _sre()[0]
    if not nodes or nodes[0][0] not in (c.ASSERT, c.ASSERT_NOT) or nodes[0][1][0] != -1:
        return False
    rest = [n for n in nodes if n[0] not in (c.ASSERT, c.ASSERT_NOT, c.AT)]
    if not rest:
        return False
    op, av = rest[0]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return av[0] == 0
    while op is c.SUBPATTERN and len(av[3]) == 1:
        op, av = av[3][0]
    if op is not c.BRANCH:
        return False
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
    return all(alt and not (alt[0][0] in repeats and alt[0][1][0] >= 1) for alt in av[1])


@lru_cache(maxsize=512)
def scan_regex(regex: str, flags: int) -> str:
    """``regex``, or the same pattern led by ``(?=\\d)`` when every match starts with a digit and it
    opens slowly (:func:`_opens_slowly`): the ``regex`` module then skips to the next digit instead of
    trying the look-behind at every position. The matches are the same (a match can only start where
    the look-ahead holds, and a zero-width look-ahead changes nothing else). Unchanged otherwise, and
    for verbose patterns, leading inline flags and what the parser cannot read."""
    if flags & re.VERBOSE or regex.startswith("(?") and regex[2:3].isalpha() and regex[2:3] != "P":
        return regex
    try:
        nodes = list(_sre()[1].parse(regex, 0))
        if not _opens_slowly(nodes):
            return regex
        empty, first = _lead(nodes)
    except Exception:  # noqa: BLE001 - syntax only ``regex`` reads: as it is
        return regex
    return rf"(?=\d)(?:{regex})" if first and not empty else regex


def needed_flags(regex: str, flags: int) -> int:
    """``flags``, or 0 when none of them changes what ``regex`` matches: IGNORECASE set by the
    pattern itself (a leading ``(?i)``, which applies to the whole pattern), DOTALL and MULTILINE
    with no ``.``, ``^`` or ``$`` outside escapes and ``[...]`` (what they act on), and no other flag.
    Compiled without flags, such a pattern is the one Presidio's ``Pattern`` compiled to check it,
    in the ``regex`` module's cache: Presidio's URL patterns (6,300 characters each, 18 ms a compile)
    are then compiled once per run instead of twice."""
    if not regex.startswith("(?i)") or flags & ~(re.IGNORECASE | re.DOTALL | re.MULTILINE):
        return flags
    bare = _CLASS.sub("", _ESCAPED.sub("", regex))
    return 0 if not any(c in bare for c in ".^$") else flags


def _scanner(regex: str, flags: int):
    """The compiled :func:`scan_regex` of a pattern: what the bulk pass runs (same matches)."""
    flags = needed_flags(regex, flags)
    return _compiled(scan_regex(regex, flags), flags)


def _condition(rec: PatternRecognizer, patterns) -> object | None:
    """What a text must hold for ``patterns`` of ``rec`` to match in it (None: nothing known)."""
    if rec.name in PREFILTERS:
        return PREFILTERS[rec.name]
    run = min((digit_run(p.regex, rec.global_regex_flags) for p in patterns), default=0)
    return digits_in_a_row(run) if run else None


def _overrides_analyze(rec: PatternRecognizer) -> bool:
    return type(rec).analyze is not PatternRecognizer.analyze


def _score(rec: PatternRecognizer, pattern, matched: str) -> float | None:
    """A candidate's score as ``PatternRecognizer.__analyze_patterns`` scores it (None: dropped)."""
    if not matched:
        return None
    score = pattern.score
    valid = rec.validate_result(matched)
    if valid is not None:
        score = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
    if rec.invalidate_result(matched):
        score = EntityRecognizer.MIN_SCORE
    if score <= EntityRecognizer.MIN_SCORE:
        return None
    return score


def _make(rec: PatternRecognizer, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        rec.supported_entities[0], start, end, score,
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: rec.name,
                              RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: rec.id},
    )


def _result(rec: PatternRecognizer, pattern, text: str, start: int, end: int) -> RecognizerResult | None:
    """One candidate scored as ``PatternRecognizer.__analyze_patterns`` scores it."""
    score = _score(rec, pattern, text[start:end])
    return None if score is None else _make(rec, start, end, score)


class _Texts:
    """Some of the texts (``index``: their positions; None: all), joined by ``SEP``, with each
    one's start in the joined string."""

    def __init__(self, texts: Sequence[str], index: list[int] | None) -> None:
        self.texts = texts if index is None else [texts[i] for i in index]
        self.index = index
        self.joined = SEP.join(self.texts)
        self.starts = list(accumulate((len(t) + 1 for t in self.texts[:-1]), initial=0))

    def locate(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def position(self, j: int) -> int:
        return j if self.index is None else self.index[j]


#: a condition that :func:`holding` may look for in the joined texts: a digit, N digits in a row
_DIGIT_RUN = re.compile(r"\\d(?:\{(\d+)\})?")


def run_of(condition) -> int:
    """N for the condition of N digits in a row (:func:`digits_in_a_row`), else 0."""
    m = _DIGIT_RUN.fullmatch(condition.pattern) if condition.flags & re.VERBOSE == 0 else None
    return int(m.group(1) or 1) if m else 0


def _no_separator(condition) -> bool:
    """Whether no match of ``condition`` can hold the separator: the digit runs of
    :func:`digits_in_a_row` and ``PREFILTERS``'s (digits, dots, ASCII letters, ``@``, ``:``)."""
    return any(condition is c for c in PREFILTERS.values()) or run_of(condition) > 0


@lru_cache(maxsize=64)
def _first_and_rest(pattern: str, flags: int):
    """``pattern``'s first match in a text and the rest of that text: one match per text that
    holds one, in the texts joined by ``SEP`` (when no match of ``pattern`` holds ``SEP``)."""
    return re.compile(rf"(?:{pattern})[^\x00]*", flags=flags)  # [^SEP]


def holding(condition, among: _Texts) -> list[int]:
    """The positions (in all texts) of the texts of ``among`` in which ``condition`` has a match:
    ``[among.position(j) for j, t in enumerate(among.texts) if condition.search(t)]``, found by
    one scan of the joined texts (:func:`_first_and_rest`) instead of a search call per text (a
    condition cannot tell a text boundary from the separator: it has no anchor, look-around or
    ``\\b``). A text that holds the separator itself may be met twice: kept once. Text by text
    for another condition."""
    if not _no_separator(condition):
        search = condition.search
        return [among.position(j) for j, t in enumerate(among.texts) if search(t)]
    index: list[int] = []
    last, starts, position = -1, among.starts, among.position
    for m in _first_and_rest(condition.pattern, condition.flags).finditer(among.joined):
        j = bisect_right(starts, m.start()) - 1
        if j != last:
            index.append(position(j))
            last = j
    return index


def analyze_patterns(texts: Sequence[str], recognizers: Sequence[PatternRecognizer], *,
                     prefilter: bool = True) -> list[list[RecognizerResult]]:
    """Every pattern recognizer's results for each text, scores before context.

    Each pattern runs once over the texts that meet its condition (``PREFILTERS``, or as many
    digits in a row as its every match holds: :func:`digit_run`), joined. A span's validation
    (``validate_result`` / ``invalidate_result``, functions of its text) runs once per distinct
    span text and pattern. Each text's results come in the recognizers' order, then their
    patterns', then the matches'."""
    out: list[list[RecognizerResult]] = [[] for _ in texts]
    if not texts:
        return out
    views: dict[object, _Texts] = {}

    def view(condition) -> _Texts:
        got = views.get(condition)
        if got is None:
            index = None
            if condition is not None:  # no condition matches the separator: text by text is the same
                index = holding(condition, view(within(condition)))
                if len(index) == len(texts):
                    index = None
            got = views[condition] = _Texts(texts, index)
        return got

    def within(condition) -> object | None:
        """A condition met by every text that meets ``condition``, whose texts are known: the
        longest shorter digit run already looked for (N digits in a row hold fewer), else None (all)."""
        n, best, most = run_of(condition), None, 0
        if n > 1:
            for c in views:
                m = run_of(c) if c is not None else 0
                if most < m < n:
                    best, most = c, m
        return best

    scores: dict[tuple[int, int], dict[str, float | None]] = {}  # (recognizer, pattern) -> span text -> score

    def result(rec: PatternRecognizer, pattern, text: str, start: int, end: int) -> RecognizerResult | None:
        known, span = scores.setdefault((id(rec), id(pattern)), {}), text[start:end]
        score = known[span] if span in known else known.setdefault(span, _score(rec, pattern, span))
        return None if score is None else _make(rec, start, end, score)

    for rec in recognizers:
        flags = rec.global_regex_flags
        if _overrides_analyze(rec):
            v = view(_condition(rec, rec.patterns) if prefilter else None)
            candidates: set[int] = set()
            for pattern in rec.patterns:
                for m in _compiled(pattern.regex, flags).finditer(v.joined):
                    candidates.update(v.position(j) for j in range(v.locate(m.start()),
                                                                    v.locate(max(m.end() - 1, m.start())) + 1))
            for i in sorted(candidates):
                out[i].extend(rec.analyze(texts[i], rec.supported_entities, None))
            continue
        for pattern in rec.patterns:
            v = view(_condition(rec, [pattern]) if prefilter else None)
            vt, starts, locate = v.texts, v.starts, v.locate
            rx = _scanner(pattern.regex, flags)
            found: dict[int, list[RecognizerResult]] = {}
            if anchored(pattern.regex):
                redo: set[int] = set(range(len(vt)))
            else:
                redo = set()
                joined = v.joined
                known = scores.setdefault((id(rec), id(pattern)), {})  # span text -> score
                for m in rx.finditer(joined):
                    s, e = m.span()
                    first = locate(s)
                    span = joined[s:e]  # the text's own characters when it holds no separator
                    if SEP in span:
                        redo.update(range(first, locate(e - 1) + 1))
                        continue
                    score = known[span] if span in known else known.setdefault(span, _score(rec, pattern, span))
                    if score is not None:
                        off = starts[first]
                        found.setdefault(first, []).append(_make(rec, s - off, e - off, score))
            for j in redo:  # alone, this text's matches of this pattern may differ: redo them all
                found[j] = [r for m in rx.finditer(vt[j]) if (r := result(rec, pattern, vt[j], *m.span()))]
            for j, rs in found.items():
                out[v.position(j)].extend(rs)
    return out


def _keywords_before(text: str, start: int) -> list[str]:
    stop = _stop_words()
    words = [w.lower() for w in _WORD.findall(text, 0, start)]
    return [w for w in words if w not in stop][-CONTEXT_PREFIX:]


def enhance_with_context(texts: Sequence[str], results: list[list[RecognizerResult]],
                         recognizers: Sequence[EntityRecognizer]) -> None:
    """Raise, in place, the score of results whose recognizer's context words precede them.

    A text that holds none of a recognizer's context words (lower-cased text, substring) cannot
    have one in its keywords: its words are not read for that recognizer's results. Per text,
    that test is made once per recognizer, and the keywords are read once per span start (several
    recognizers find the same number) and joined by ``SEP``, which no keyword holds: a context word
    is in one of them when it is in the joined string (a context word holding ``SEP`` is in none)."""
    contexts = {rec.id: [c.lower() for c in rec.context] for rec in recognizers if getattr(rec, "context", None)}
    # a keyword is a lower-cased word of the text, so a substring of the lower-cased text but for
    # the final-sigma rule of str.lower: no shortcut for a context word with a sigma
    sure = {k: not any(s in c for c in ctx for s in "σς") for k, ctx in contexts.items()}
    joinable = {k: [c for c in ctx if SEP not in c] for k, ctx in contexts.items()}
    key, top = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, EntityRecognizer.MAX_SCORE
    for text, found in zip(texts, results, strict=True):
        lowered: str | None = None
        holds: dict[str, bool] = {}  # recognizer id -> the lower-cased text holds one of its words
        before: dict[int, str | None] = {}  # span start -> its keywords joined (None: no keyword)
        for r in found:
            rec_id = (r.recognition_metadata or {}).get(key)
            ctx = contexts.get(rec_id)
            if not ctx or r.score >= top:
                continue
            if sure[rec_id]:
                held = holds.get(rec_id)
                if held is None:
                    if lowered is None:
                        lowered = text.lower()
                    held = holds[rec_id] = any(c in lowered for c in ctx)
                if not held:
                    continue
            if r.start in before:
                keywords = before[r.start]
            else:
                keywords = before[r.start] = SEP.join(_keywords_before(text, r.start)) or None
            if keywords is not None and any(c in keywords for c in joinable[rec_id]):
                r.score = min(top, max(r.score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))
