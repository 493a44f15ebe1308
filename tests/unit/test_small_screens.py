"""Decisions for small, big and portrait screens, without Qt: the scale and the short words."""

from __future__ import annotations

import itertools

import pytest

from kiosk.ui.view_model import SHORT_WORDS, screen_scale, short_words


@pytest.mark.parametrize(
    ("size", "scale"),
    [
        ((1280, 800), 1.0),
        ((800, 480), 0.8),
        ((800, 1280), 1.0),  # portrait: the short side against 800, not 0.8 like 800x480
        ((1080, 1920), 1.4),
        ((1920, 1080), 1.4),
        ((3840, 2160), 1.5),
        ((640, 400), 0.8),
    ],
)
def test_the_scale_grows_with_big_and_portrait_screens(size: tuple[int, int], scale: float) -> None:
    assert screen_scale(*size) == scale


def test_portrait_never_scales_smaller_than_the_same_screen_turned() -> None:
    for width in range(640, 2200, 97):
        for height in range(400, 2200, 89):
            assert screen_scale(width, height) == screen_scale(height, width)


def test_short_words_keep_the_full_word_first_and_only_get_shorter() -> None:
    for word, shorter in SHORT_WORDS.items():
        forms = short_words(word)
        assert forms[0] == word
        assert forms[1:] == shorter
        assert all(len(b) < len(a) for a, b in itertools.pairwise(forms))
    assert short_words("2 OF 4 PAUSED") == ("2 OF 4 PAUSED", "2/4 PAUSED")
    assert short_words("12 OF 13 PAUSED") == ("12 OF 13 PAUSED", "12/13 PAUSED")
    assert short_words("ONLINE") == ("ONLINE",)
    assert short_words("") == ("",)
