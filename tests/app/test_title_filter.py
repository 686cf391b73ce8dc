"""Choosing one film of thousands by part of its title (webapp.title_filter)."""

from __future__ import annotations

from webapp.title_filter import LIST_ALL, MATCHES, filtered, matches_line, matching

TITLES = ["Vertigo", "The Birds", "Psycho", "North by Northwest", "Rear Window",
          "The Man Who Knew Too Much", "Birds of Passage", "the BIRDS (1963)"]


def test_small_libraries_list_every_film_and_large_ones_ask_for_a_title() -> None:
    assert LIST_ALL == 200 and MATCHES == 50
    assert not filtered(3) and not filtered(LIST_ALL) and filtered(10_000)


def test_every_word_typed_is_in_the_title_whatever_its_case_titles_starting_with_it_first(
) -> None:
    found = matching(TITLES, "  birds ")
    assert found.films == [6, 1, 7] and found.total == 3  # "Birds of…" starts with it
    assert matching(TITLES, "the birds").films == [1, 7]
    assert matching(TITLES, "north west").films == [3]
    assert matching(TITLES, "Hitchcock").films == [] and matching(TITLES, "x").total == 0


def test_the_film_already_chosen_is_always_listed_first_and_the_list_is_cut() -> None:
    assert matching(TITLES, "birds", keep=[0]).films == [0, 6, 1, 7]
    assert matching(TITLES, "birds", keep=[1]).films == [1, 6, 7]  # once, though it matches
    assert matching(TITLES, "", keep=[99, -1]).films == list(range(8))  # no such films
    many = [f"film {i:05d}" for i in range(10_000)]
    found = matching(many, "film", keep=[9_999])
    assert found.films == [9_999, *range(MATCHES)] and found.total == 10_000 and found.cut
    # Starting with "film 0004" first, then holding both words ("film 00004").
    assert matching(many, "film 0004").films == [*range(40, 50), 4]
    assert matching(many, "", limit=3).films == [0, 1, 2]


def test_what_the_chooser_says_of_its_list() -> None:
    many = [f"film {i:05d}" for i in range(10_000)]
    assert matches_line(matching(many, ""), "") == (
        "The first 50 of 10,000 films: type part of a title to find another.")
    assert matches_line(matching(many, "film 0"), " film 0 ") == (
        "The first 50 of 10,000 titles holding “film 0”: type more of the title.")
    assert matches_line(matching(many, "film 0004"), "film 0004") is None
    assert matches_line(matching(many, "*nope*"), "*nope*") == "No title holds “*nope*”."
