"""The loaded-term lexicon: load the data file and match terms in Arabic text.

Matching runs on normalized text and reports spans in the ORIGINAL text. A term's
first word may carry proclitics (و ف + ب ك ل, and ال -> لل / بال / وال / فال ...);
its last word, when indefinite, may carry attached pronouns (ه ها هم ...), with ة
written ت before them. Plurals and other inflections that change the word are listed
as variants in the data file, so "الكيانات" never matches "الكيان". All forms compile
into one regular expression; where entries overlap, the longest match wins.

Why one module over 400 lines: loading the data file and compiling its forms into one
regular expression are one job (the compiled pattern is only right for the loaded
variants and their proclitic rules).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import StanceError
from .normalize import normalize, normalize_with_offsets

__all__ = [
    "Term",
    "TermMatch",
    "Lexicon",
    "load_lexicon",
    "net_weight",
    "DIRECTIONS",
    "CATEGORIES",
]

DIRECTIONS = ("critical", "pro")
CATEGORIES = (
    "delegitimizing_label",
    "betrayal_framing",
    "conspiracy_framing",
    "resistance_framing",
    "dismissive_framing",
    "peace_tolerance_framing",
    "prosperity_framing",
    "legitimacy_framing",
    "opponent_disparagement",
    "atrocity_framing",
    "euphemism",
)
COLUMNS = ("term", "variants", "direction", "weight", "category", "neutral", "gloss")
# Optional eighth column (lexicon version 2): a regular expression; a match of the term
# is dropped when the word right after it (normalized) matches it entirely. It keeps a
# bare word to the sense it is listed for: «الكيان» stands for Israel, «الكيان الاقتصادي»
# does not.
UNLESS_NEXT = "unless_next"

_CACHE_MAX_CHARS = 20_000
_PRONOUNS = "(?:ه|ها|هم|هما|هن|كم|كما|نا)"
_WORDCHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Term:
    """One lexicon row."""

    term: str
    variants: tuple[str, ...]
    direction: str
    weight: float
    category: str
    neutral: str
    gloss: str
    unless_next: str = ""

    @property
    def sign(self) -> int:
        return 1 if self.direction == "pro" else -1


@dataclass(frozen=True)
class TermMatch:
    """A lexicon term found in a text; ``start``/``end`` index the original text."""

    term: str
    match: str
    start: int
    end: int
    direction: str
    weight: float
    category: str

    @property
    def signed_weight(self) -> float:
        """``weight``, negative for critical terms: the match's pull on the lean."""
        return self.weight if self.direction == "pro" else -self.weight

    def to_dict(self) -> dict[str, object]:
        return {
            "term": self.term,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "direction": self.direction,
            "weight": self.weight,
            "category": self.category,
        }


def _word_pattern(word: str, first: bool, last: bool) -> str:
    if not _WORDCHAR.match(word[0]):
        return re.escape(word)
    if first and word.startswith("ال") and len(word) > 3:
        # وال فال بال كال وبال and the fused لل (li + al).
        core = r"(?:[وف]?(?:[بك]?ال|لل))" + re.escape(word[2:])
    elif first:
        core = r"(?:[وف]?[بلك]?)" + re.escape(word)
    else:
        core = re.escape(word)
    if last and not word.startswith("ال") and _WORDCHAR.match(word[-1]):
        if word.endswith("ة"):
            core = core[: -len(re.escape("ة"))] + f"(?:ة|ت{_PRONOUNS}|تي)"
        else:
            core += f"{_PRONOUNS}?"
    return core


_WORD_RUN = re.compile(r"[^\W_]+")
_NEXT_WORD = re.compile(r"\s+([^\W_]+)")
_OPENERS = "\"'(["
_AL_PREFIXES = tuple(a + b for a in ("", "و", "ف") for b in ("ال", "بال", "كال", "لل"))
_PREFIXES = tuple(a + b for a in ("", "و", "ف") for b in ("", "ب", "ل", "ك"))
_SUFFIXES = ("", "ه", "ها", "هم", "هما", "هن", "كم", "كما", "نا")


def first_tokens(form: str) -> set[str]:
    """Every word token (maximal letter/digit run) at which ``form_pattern(form)`` can
    start: the first word with each proclitic and, for a one-word form, each suffix.

    Empty when the form starts with a quote or bracket; those forms are tried wherever
    the text has one. Used to skip the full pattern on text that cannot match.
    """
    words = form.split()
    first = words[0]
    run = _WORD_RUN.match(first)
    if run is None:
        return set()
    core = run.group()
    whole = run.end() == len(first)  # the word is one run: suffixes may attach
    if first.startswith("ال") and len(first) > 3:
        heads = [p + core[2:] for p in _AL_PREFIXES]
    else:
        heads = [p + core for p in _PREFIXES]
    if len(words) > 1 or not whole or first.startswith("ال"):
        return set(heads)
    if core.endswith("ة"):
        tails = ["ة"] + ["ت" + s for s in _SUFFIXES[1:]] + ["تي"]
        return {h[:-1] + t for h in heads for t in tails}
    return {h + s for h in heads for s in _SUFFIXES}


def form_pattern(form: str) -> str:
    """Regex for one normalized lexicon form (words separated by single spaces)."""
    words = form.split()
    parts = [_word_pattern(w, i == 0, i == len(words) - 1) for i, w in enumerate(words)]
    pattern = r"\s+".join(parts)
    if _WORDCHAR.match(words[0][0]):
        pattern = r"(?<![^\W_])" + pattern
    if _WORDCHAR.match(words[-1][-1]):
        pattern += r"(?![^\W_])"
    return pattern


def _second_word_prefix(form: str) -> str:
    """The letters the second word of ``form`` starts with in any match ('' for a
    one-word form): ``form_pattern`` writes it literally, but for a last word ending
    in ة, which may be written ت before a pronoun."""
    words = form.split()
    if len(words) < 2:
        return ""
    word = words[1]
    if (
        len(words) == 2
        and _WORDCHAR.match(word[0])
        and not word.startswith("ال")
        and _WORDCHAR.match(word[-1])
        and word.endswith("ة")
    ):
        return word[:-1]
    return word


class Lexicon:
    """A compiled lexicon. ``find(text)`` returns non-overlapping matches in order."""

    def __init__(self, terms: Iterable[Term], version: str = "") -> None:
        self.terms: list[Term] = list(terms)
        self.version = version
        forms: list[tuple[str, int]] = []
        seen: dict[str, str] = {}
        for i, t in enumerate(self.terms):
            for form in (t.term, *t.variants):
                key = " ".join(normalize(form).split())
                if not key:
                    continue
                if key in seen:
                    raise StanceError(f"lexicon: form {form!r} of {t.term!r} repeats {seen[key]!r}")
                seen[key] = t.term
                forms.append((key, i))
        # Longest forms first, so at any position the longest entry is tried first.
        forms.sort(key=lambda f: (-len(f[0]), f[0]))
        self._group_term = {f"t{j}": i for j, (_, i) in enumerate(forms)}
        self._patterns = [f"(?P<t{j}>{form_pattern(k)})" for j, (k, _) in enumerate(forms)]
        # Trying every form at every word start is slow (hundreds of alternatives), so a
        # form is only tried where the text has a word it can start with (first_tokens):
        # one C-level set intersection per text, then at each such word a small regex of
        # just the forms that can start there, in the same longest-first order. Forms
        # that open with a quote or bracket are tried at those characters.
        starts: dict[str, list[int]] = {}
        quoted: list[int] = []
        for j, (k, _) in enumerate(forms):
            tokens = first_tokens(k)
            if not tokens:
                quoted.append(j)
            for tok in tokens:
                starts.setdefault(tok, []).append(j)
        self._starts: dict[str, tuple[int, ...]] = {t: tuple(js) for t, js in starts.items()}
        self._quoted = tuple(quoted)
        # A quoted form starts with its first word, letter for letter; only those that
        # open with a quote or bracket are ever tried.
        self._quote_words = tuple(
            dict.fromkeys(fw for j in quoted if (fw := forms[j][0].split()[0])[0] in _OPENERS)
        )
        # For skipping texts that cannot match (find_from): the second word of a form
        # starts a whitespace-separated piece of the text with these letters, and a
        # start token whose forms all have a second word needs one of them.
        seconds = {j: _second_word_prefix(k) for j, (k, _) in enumerate(forms)}
        self._open_start = {t: any(not seconds[j] for j in js) for t, js in self._starts.items()}
        self._needs = {t: frozenset(seconds[j] for j in js) for t, js in self._starts.items()}
        by_first: dict[str, set[str]] = {}
        for prefix in seconds.values():
            if prefix:
                by_first.setdefault(prefix[0], set()).add(prefix)
        # Per first letter: the lengths of the prefixes that start with it, and the
        # prefixes (a piece is cut at each length and looked up: a few set lookups).
        self._seconds = {
            c: (tuple(sorted({len(p) for p in ps})), frozenset(ps)) for c, ps in by_first.items()
        }
        self._quote_re = re.compile("|".join(map(re.escape, self._quote_words)) or "(?!)")
        # One bit per second-word prefix, for clue_masks.
        self._prefix_bit = {p: i for i, p in enumerate(sorted(set(seconds.values()) - {""}))}
        self.mask_words = max(1, (len(self._prefix_bit) + 63) // 64)
        self._compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._unless = {
            i: re.compile(t.unless_next) for i, t in enumerate(self.terms) if t.unless_next
        }
        # Scoring matches each passage twice (the classifier's lexicon features, then the
        # loaded terms in the output); a small cache makes the second pass free.
        # One scoring batch (stance.batch.BATCH_SIZE, 2,048 passages) must fit for the
        # second pass to hit.
        self._find_cached = lru_cache(maxsize=4096)(self._find)

    def __len__(self) -> int:
        return len(self.terms)

    def clues(self, piece: str) -> tuple[tuple[str, str], ...]:
        """What :meth:`find` looks for in ``piece``, one whitespace-separated piece of
        normalized text: ``("start", token)`` for a word token a term can start at,
        ``("quote", "")`` for the opening word of a quoted term, ``("next", prefix)``
        when the piece begins like the second word of a term. A text whose pieces have
        no start or quote clue has no match; for the others, :meth:`find_from` takes
        the clues of all their pieces (``stance.vectorize`` splits each text once)."""
        starts = self._starts
        out = [("start", r) for r in dict.fromkeys(_WORD_RUN.findall(piece)) if r in starts]
        if self._quote_re.search(piece):
            out.append(("quote", ""))
        seconds = self._seconds.get(piece[:1])
        if seconds is not None:
            lengths, prefixes = seconds
            size = len(piece)
            out.extend(("next", piece[:n]) for n in lengths if n <= size and piece[:n] in prefixes)
        return tuple(out)

    def clue_masks(self, clues: Iterable[tuple[str, str]]) -> tuple[bool, int, int]:
        """``(definite, need, next)`` of one piece's :meth:`clues`: ``definite`` when a
        term can start in the piece whatever else the text holds (a quote, or a start
        token with a one-word form); ``need``, the bits of the second-word prefixes its
        other start tokens need; ``next``, the bits of the prefixes the piece begins
        with. :meth:`find_from` finds nothing in a text unless one of its pieces is
        definite or some piece's ``need`` shares a bit with some piece's ``next``, so a
        caller can skip the others with array operations (bit ``i`` is word ``i // 64``
        of ``mask_words`` 64-bit words)."""
        definite, need, nxt = False, 0, 0
        bit = self._prefix_bit
        for kind, value in clues:
            if kind == "start":
                if self._open_start[value]:
                    definite = True
                else:
                    for prefix in self._needs[value]:
                        need |= 1 << bit[prefix]
            elif kind == "next":
                nxt |= 1 << bit[value]
            else:
                definite = True
        return definite, need, nxt

    def find_from(self, text: str, norm: str, clues: Iterable[tuple[str, str]]) -> list[TermMatch]:
        """:meth:`find` for a caller that has normalized ``text`` already (``norm``)
        and gathered the :meth:`clues` of its pieces (all pieces with a start or quote
        clue, and those with a next clue: leaving one out can lose a match)."""
        starts, nexts, quoted = [], set(), False
        for kind, value in clues:
            if kind == "start":
                starts.append(value)
            elif kind == "next":
                nexts.add(value)
            else:
                quoted = True
        # A start token is tried only if one of its terms can have its second word here.
        hits = [t for t in starts if self._open_start[t] or not self._needs[t].isdisjoint(nexts)]
        if not text or not (hits or quoted):
            return []
        return list(self._matches(text, norm, hits, quoted))

    def find(self, text: str) -> list[TermMatch]:
        """All term matches in ``text``, longest first where they overlap, in text order."""
        if len(text) > _CACHE_MAX_CHARS:  # keep the cache's memory bounded
            return list(self._find(text))
        return list(self._find_cached(text))

    def _regex_for(self, forms: tuple[int, ...]) -> re.Pattern[str]:
        """The alternation of ``forms`` (indices into the longest-first form list),
        compiled once: word starts sharing a token share it."""
        regex = self._compiled.get(forms)
        if regex is None:
            alternation = "|".join(self._patterns[j] for j in forms)
            regex = self._compiled[forms] = re.compile(f"(?=(?:{alternation}))")
        return regex

    def _vetoed(self, term: int, norm: str, end: int) -> bool:
        """Whether the word after a match of ``term`` ending at ``end`` cancels it."""
        unless = self._unless.get(term)
        if unless is None:
            return False
        nxt = _NEXT_WORD.match(norm, end)
        return nxt is not None and unless.fullmatch(nxt.group(1)) is not None

    def _find(self, text: str) -> tuple[TermMatch, ...]:
        if not text:
            return ()
        norm = normalize(text)
        words = _WORD_RUN.findall(norm)
        quoted = any(w in norm for w in self._quote_words)
        if not quoted and self._starts.keys().isdisjoint(words):
            return ()  # the common case, decided in C
        return self._matches(text, norm, self._starts.keys() & set(words), quoted)

    def _matches(
        self, text: str, norm: str, hits: Iterable[str], quoted: bool
    ) -> tuple[TermMatch, ...]:
        """The matches in ``text`` (normalized: ``norm``) of forms starting at a start
        token in ``hits`` or, when ``quoted``, at a quote or bracket."""
        positions = []
        for tok in hits:  # few per text: locate each with str.find, not a regex scan
            forms, size, i = self._starts[tok], len(tok), norm.find(tok)
            while i >= 0:
                end = i + size
                # A whole word run: no letter or digit ([^\W_]) on either side.
                if (i == 0 or not norm[i - 1].isalnum()) and (
                    end == len(norm) or not norm[end].isalnum()
                ):
                    positions.append((i, forms))
                i = norm.find(tok, i + 1)
        if quoted:
            # Where a quoted term's first word is (its regex fails anywhere else).
            at = set()
            for word in self._quote_words:
                i = norm.find(word)
                while i >= 0:
                    at.add(i)
                    i = norm.find(word, i + 1)
            positions.extend((i, self._quoted) for i in sorted(at))
        candidates = []
        for pos, js in positions:
            m = self._regex_for(js).match(norm, pos)
            if m is None:
                continue
            group = m.lastgroup
            s, e = m.span(group)
            term = self._group_term[group]
            if e > s and not self._vetoed(term, norm, e):
                candidates.append((s, e, term))
        if not candidates:
            return ()
        nt = normalize_with_offsets(text, norm)
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        # Longest first; an occupancy map keeps this linear in the text length (a list
        # of taken spans made it quadratic on passages with many matches).
        used = bytearray(len(norm))
        taken: list[tuple[int, int, int]] = []
        for c in candidates:
            if not any(used[c[0] : c[1]]):
                used[c[0] : c[1]] = b"\x01" * (c[1] - c[0])
                taken.append(c)
        taken.sort()
        out = []
        for s, e, i in taken:
            os_, oe = nt.original_span(s, e)
            t = self.terms[i]
            out.append(TermMatch(t.term, text[os_:oe], os_, oe, t.direction, t.weight, t.category))
        return tuple(out)


def net_weight(matches: Iterable[TermMatch]) -> float:
    """Signed sum of match weights: pro terms count positive, critical negative."""
    return sum(m.signed_weight for m in matches)


def _parse(lines: list[str], where: str) -> tuple[list[Term], str]:
    version = ""
    rows = []
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            m = re.match(r"#\s*stance lexicon version:\s*(\S+)", line)
            if m:
                version = m.group(1)
            continue
        if line.strip():
            rows.append((n, line.rstrip("\n")))
    if not rows:
        raise StanceError(f"{where}: no rows")
    header = tuple(rows[0][1].split("\t"))
    if header not in (COLUMNS, (*COLUMNS, UNLESS_NEXT)):
        raise StanceError(
            f"{where}:{rows[0][0]}: header must be {' '.join(COLUMNS)} [{UNLESS_NEXT}]"
        )
    terms = []
    for n, line in rows[1:]:
        for row in csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) == len(header) - 1 and len(header) > len(COLUMNS):
                row.append("")  # an empty last column may lose its tab in an editor
            if len(row) != len(header):
                raise StanceError(f"{where}:{n}: expected {len(header)} columns, got {len(row)}")
            rec = dict(zip(header, (c.strip() for c in row)))
            unless = rec.get(UNLESS_NEXT, "")
            try:
                re.compile(unless)
            except re.error as exc:
                raise StanceError(
                    f"{where}:{n}: {UNLESS_NEXT} is not a valid regex ({exc})"
                ) from None
            try:
                weight = float(rec["weight"])
            except ValueError:
                raise StanceError(
                    f"{where}:{n}: weight {rec['weight']!r} is not a number"
                ) from None
            if not 0 < weight <= 1:
                raise StanceError(f"{where}:{n}: weight {weight} outside (0, 1]")
            if rec["direction"] not in DIRECTIONS:
                raise StanceError(f"{where}:{n}: direction must be one of {DIRECTIONS}")
            if rec["category"] not in CATEGORIES:
                raise StanceError(f"{where}:{n}: unknown category {rec['category']!r}")
            variants = tuple(v.strip() for v in rec["variants"].split("|") if v.strip())
            terms.append(
                Term(
                    rec["term"],
                    variants,
                    rec["direction"],
                    weight,
                    rec["category"],
                    rec["neutral"],
                    rec["gloss"],
                    unless,
                )
            )
    return terms, version


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load the shipped lexicon (``stance/data/lexicon.tsv``) or the TSV at ``path``."""
    if path is None:
        return _default_lexicon()
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise StanceError(f"cannot read lexicon {p}: {exc}") from None
    terms, version = _parse(lines, str(p))
    return Lexicon(terms, version)


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    text = resources.files("stance").joinpath("data/lexicon.tsv").read_text(encoding="utf-8")
    terms, version = _parse(text.splitlines(), "stance/data/lexicon.tsv")
    return Lexicon(terms, version)
