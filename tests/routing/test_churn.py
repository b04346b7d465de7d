import time

import pytest

from tickets.routing.churn import Phrase, detect, find_signals, sentiment, unquoted

PHRASES = [
    Phrase("cancel", "direct", 30),
    Phrase("downgrade", "direct", 25),
    Phrase("not renewing", "direct", 35),
    Phrase("looking at alternatives", "direct", 30),
    Phrase("evaluating alternatives", "direct", 35),
    Phrase("frustrated", "indirect", 10),
    Phrase("this keeps happening", "indirect", 12),
    Phrase("not getting value", "indirect", 15),
    Phrase("executive team is asking", "indirect", 12),
]


def phrases(text, ph=PHRASES):
    return [s["phrase"] for s in find_signals(text, ph)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("We will cancel our subscription.", ["cancel"]),
        ("We are CANCEL-ing? no: we will Cancel.", ["cancel"]),
        ("We are evaluating alternatives right now.", ["evaluating alternatives"]),
        ("We're evaluating\n  alternatives.", ["evaluating alternatives"]),
        ("Honestly, we are not renewing.", ["not renewing"]),
        ("I'm frustrated, this keeps happening!", ["frustrated", "this keeps happening"]),
        ("We're not getting value from the product.", ["not getting value"]),
        ("Our executive team is asking why.", ["executive team is asking"]),
        ("Looking at alternatives; might downgrade.", ["looking at alternatives", "downgrade"]),
    ],
)
def test_it_finds_the_phrases(text, found):
    assert phrases(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Please process the cancellation of order 12.",
        "Cancelled meetings are fine.",
        "The downgraded plan shows twice.",
        "uncancel this, recancel that",
        "We are not planning to cancel.",
        "We have no plans to cancel.",
        "We don't want to downgrade.",
        "We won't cancel, we love it.",
        "We never cancel anything.",
        "I can't cancel from this page",
        "We are not looking at alternatives.",
        "We're not frustrated at all",
        "We managed without having to downgrade",
    ],
)
def test_it_is_not_fooled(text):
    assert phrases(text) == []


def test_it_counts_a_phrase_after_a_negation_in_another_clause():
    assert phrases("If this is not fixed, we will cancel.") == ["cancel"]
    assert phrases("Not happy. We will cancel.") == ["cancel"]
    assert phrases("We did not complain before but now we will cancel") == ["cancel"]


def test_it_counts_an_unnegated_occurrence_after_a_negated_one():
    assert phrases("We don't want to cancel. But we will cancel if it fails again.") == ["cancel"]


def test_it_ignores_quoted_lines():
    text = "Thanks for the fix.\n> We will cancel if this is not fixed\n>> cancel\n"
    assert phrases(text) == []


def test_it_ignores_everything_after_on_wrote():
    text = (
        "All good now, thanks!\n\n"
        "On Mon, 3 Nov 2026 at 10:00, Bob <b@x.io> wrote:\nWe will cancel.\n"
    )
    assert phrases(text) == []


def test_it_ignores_everything_after_original_message():
    text = "Resolved.\n-----Original Message-----\nFrom: x\nWe are evaluating alternatives"
    assert phrases(text) == []


def test_it_still_reads_the_new_text_above_a_quote():
    text = "We will downgrade.\nOn Tue, Jan 6, 2026, Ann wrote:\n> cancel"
    assert phrases(text) == ["downgrade"]


def test_it_keeps_offsets_into_the_original_text():
    text = "> quoted cancel\nWe will downgrade now"
    [signal] = find_signals(text, PHRASES)
    assert text[signal["start"] : signal["end"]] == "downgrade"
    assert unquoted(text).startswith(" " * 15 + "\n")


def test_it_returns_an_excerpt_kind_and_weight():
    [s] = find_signals(
        "Hello team. " * 10 + "We are evaluating alternatives to you." + " x" * 50, PHRASES
    )
    assert s["kind"] == "direct" and s["weight"] == 35
    assert "evaluating alternatives" in s["excerpt"]
    assert s["excerpt"].startswith("…") and s["excerpt"].endswith("…")


def test_it_counts_each_phrase_once_and_sums_weights():
    result = detect("cancel cancel cancel. I'm frustrated", PHRASES)
    assert [s["phrase"] for s in result.signals] == ["cancel", "frustrated"]
    assert result.points == 40


def test_it_only_matches_phrases_in_the_list():
    assert phrases("Process the cancellation", [Phrase("cancellation", "direct", 5)]) == [
        "cancellation"
    ]


def test_it_escapes_regex_characters_in_phrases():
    assert phrases("we want a refund (now)", [Phrase("refund (now)", "indirect", 5)]) == [
        "refund (now)"
    ]
    assert phrases("refund now", [Phrase("refund (now)", "indirect", 5)]) == []


def test_it_scores_sentiment():
    assert detect("This is terrible and I'm furious.", PHRASES).sentiment < -0.5
    assert detect("Thank you, this is great!", PHRASES).sentiment > 0.5
    assert detect("", PHRASES).sentiment is None


def test_it_scores_sentiment_on_the_unquoted_text_only():
    text = "Thanks, great work!\n> This is awful, horrible, terrible."
    assert sentiment(unquoted(text)) > 0.5


def test_it_loads_the_sentiment_lexicon_once():
    detect("warm up", PHRASES)
    started = time.perf_counter()
    for _ in range(50):
        detect("We are frustrated, this keeps happening and we may cancel.", PHRASES)
    assert (time.perf_counter() - started) / 50 < 0.01
