"""Churn language in a customer's message: a pure rule.

`detect(text, phrases)` finds the admin's phrases (ChurnPhrase) in the part of the
message the customer wrote now, and scores its sentiment.

- Case-insensitive, on word boundaries: "cancel" does not match "cancellation"
  (add that phrase if you want it); whitespace inside a phrase may be any run of
  spaces or line breaks.
- Negation: a phrase preceded, within the same clause, by a negator among its
  NEGATION_WINDOW previous words is ignored: "we are not planning to cancel",
  "we have no plans to cancel", "we don't want to downgrade", "without having to
  downgrade". A clause ends at . ! ? ; : , or "but", so "if this is not fixed, we
  will cancel" still counts.
- Quoted earlier replies are ignored: lines starting with ">" and everything from
  an "On … wrote:" line or "-----Original Message-----" on. They are blanked
  rather than cut, so a signal's start/end index the original text.
- Each phrase counts once per text (its first unnegated occurrence); points are
  the sum of the weights of the phrases found.
- Sentiment: VADER's compound score (−1..1) of the unquoted text, None for an
  empty one. The analyzer (and its lexicon) is loaded once per process.
"""

import re
from dataclasses import dataclass, field
from functools import cache

NEGATION_WINDOW = 3
NEGATORS = frozenset(
    {"not", "no", "never", "without", "nor", "neither", "cannot", "none", "nothing"}
)
_WORD = re.compile(r"[\w'’]+")
_CLAUSE_END = re.compile(r"[.!?;:,\n]|\bbut\b", re.IGNORECASE)
_REPLY_HEADER = re.compile(
    r"^\s*(On\s.{0,300}?wrote:\s*$|-{2,}\s*Original Message\s*-{2,})",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
EXCERPT_CHARS = 40
SENTIMENT_MAX_CHARS = 5000


@dataclass(frozen=True)
class Phrase:
    phrase: str
    kind: str
    weight: int


@dataclass
class ChurnResult:
    signals: list[dict] = field(default_factory=list)
    points: int = 0
    sentiment: float | None = None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def unquoted(text: str) -> str:
    """The text with quoted earlier replies blanked out (same length, same offsets)."""
    text = text or ""
    header = _REPLY_HEADER.search(text)
    if header:
        text = _blank(text, header.start(), len(text))
    for match in reversed(list(_QUOTED_LINE.finditer(text))):
        text = _blank(text, match.start(), match.end())
    return text


def _pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w'’])" + r"\s+".join(words) + r"(?![\w'’])", re.IGNORECASE)


@cache
def _compiled(phrase: str) -> re.Pattern:
    return _pattern(phrase)


def is_negated(text: str, start: int) -> bool:
    """A negator among the NEGATION_WINDOW words before `start`, within its clause."""
    before = text[max(0, start - 200) : start]
    ends = list(_CLAUSE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    words = [w.lower() for w in _WORD.findall(before)][-NEGATION_WINDOW:]
    return any(w in NEGATORS or w.endswith(("n't", "n’t")) for w in words)


def excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - EXCERPT_CHARS)
    right = min(len(text), end + EXCERPT_CHARS)
    snippet = " ".join(text[left:right].split())
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def find_signals(text: str, phrases: list[Phrase]) -> list[dict]:
    clean = unquoted(text)
    signals = []
    for phrase in phrases:
        for match in _compiled(phrase.phrase).finditer(clean):
            if is_negated(clean, match.start()):
                continue
            signals.append(
                {
                    "phrase": phrase.phrase,
                    "kind": phrase.kind,
                    "weight": phrase.weight,
                    "start": match.start(),
                    "end": match.end(),
                    "excerpt": excerpt(clean, match.start(), match.end()),
                }
            )
            break
    signals.sort(key=lambda s: s["start"])
    return signals


@cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float | None:
    text = " ".join((text or "").split())[:SENTIMENT_MAX_CHARS]
    if not text:
        return None
    return round(_analyzer().polarity_scores(text)["compound"], 4)


def detect(text: str, phrases: list[Phrase], with_sentiment: bool = True) -> ChurnResult:
    signals = find_signals(text, phrases)
    return ChurnResult(
        signals=signals,
        points=sum(s["weight"] for s in signals),
        sentiment=sentiment(unquoted(text)) if with_sentiment else None,
    )
