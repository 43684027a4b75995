"""Outlet profiles count the forms of one speaker's name together."""

from __future__ import annotations

from unspin.corpus.speakers import join_forms


def lines(counts):
    return [(line.name, line.quotes, sorted(line.forms)) for line in join_forms(counts)]


def test_full_names_with_the_same_first_and_last_word_are_one_speaker():
    got = lines([("Donald J. Trump", 20), ("Donald Trump", 91), ("Hillary Rodham Clinton", 3), ("Hillary Clinton", 87),
                 ("Eric Trump", 2)])
    assert got == [("Donald Trump", 111, ["Donald J. Trump", "Donald Trump"]),
                   ("Hillary Clinton", 90, ["Hillary Clinton", "Hillary Rodham Clinton"]),
                   ("Eric Trump", 2, ["Eric Trump"])]


def test_a_lone_surname_joins_the_full_name_only_where_one_person_holds_it():
    got = lines([("Barack Obama", 95), ("Obama", 138), ("Bill Clinton", 46), ("Hillary Clinton", 87), ("Clinton", 30),
                 ("Łukaszewski", 4), ("Zbigniew Łukaszewski", 1), ("Republicans", 12)])
    assert got[0] == ("Obama", 233, ["Barack Obama", "Obama"])  # shown as its most-quoted form
    assert ("Clinton", 30, ["Clinton"]) in got  # Bill and Hillary both quoted: nobody's
    assert ("Łukaszewski", 5, ["Zbigniew Łukaszewski", "Łukaszewski"]) in got
    assert ("Republicans", 12, ["Republicans"]) in got


def test_names_that_only_look_alike_stay_apart():
    got = lines([("the campaign", 5), ("The Clinton campaign", 7), ("New York Times", 3), ("New York Post", 2)])
    assert sorted(name for name, _, _ in got) == ["New York Post", "New York Times", "The Clinton campaign",
                                                 "the campaign"]


def test_outlet_profile_counts_the_forms_of_a_name_as_one_speaker(tmp_path, capsys):
    import unspin
    from tests.test_corpus_helpers import article_text, fake_analysis
    from unspin.corpus import Corpus
    from unspin.store import ArticleRow

    db = tmp_path / "c.db"
    quotes = [[("Donald J. Trump", "direct"), ("Donald Trump", "indirect")], [("Donald Trump", "direct")],
              [("Trump", "direct"), ("Zoë Ålund", "direct")]]
    with Corpus(db) as store:
        for i, qs in enumerate(quotes):
            text = article_text(900 + i)
            store.add(fake_analysis(text, title=f"T{i}", quotes=qs),
                      ArticleRow(source=f"s{i}", outlet="mu.example", title=f"T{i}", published=f"2024-06-0{i + 1}"))
    speakers = unspin.open_corpus(db).outlet("mu.example")["quoted_speakers"]
    # one line for Trump over three forms, in three articles (the first holds two forms: counted once)
    assert speakers[0] == {"speaker": "Donald Trump", "articles": 3, "quotes": 4,
                           "forms": ["Donald Trump", "Donald J. Trump", "Trump"]}
    assert speakers[1] == {"speaker": "Zoë Ålund", "articles": 1, "quotes": 1}
    from tests.conftest import cli

    code, out, _ = cli(capsys, "outlet", "mu.example", "--db", db)
    assert code == 0 and "  Donald Trump: 4 quotes in 3 articles (also as Donald J. Trump, Trump)" in out
