"""Ratings tables: CSV format, domain normalisation, lookup, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.errors import ConfigError
from unspin.ratings import RatingsTable, normalize_domain

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def small(tmp_path: Path) -> str:
    return write(
        tmp_path,
        "small.csv",
        "source,bias,factual_reporting,notes\n"
        "cnn.com,left,mixed,\n"
        "https://www.RT.com/news/,right-center,very low,state media\n"
        "bbc.co.uk,least biased,high,\n"
        "rt.com,far left,high,duplicate row\n"
        ",orphan,row,\n"
        "blogspot.com,pro-science,high,\n",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cnn.com", "cnn.com"),
        ("CNN.com", "cnn.com"),
        ("www.cnn.com", "cnn.com"),
        ("https://www.cnn.com/2024/01/01/story.html?x=1#top", "cnn.com"),
        ("http://user@news.example.co.uk:8080/path", "news.example.co.uk"),
        ("//theduran.com/", "theduran.com"),
        ("  rt.com.  ", "rt.com"),
        ("", None),
        (None, None),
    ],
)
def test_ratings_normalize_domain(value: str | None, expected: str | None) -> None:
    assert normalize_domain(value) == expected


def test_ratings_empty_table_for_no_paths() -> None:
    table = RatingsTable.load(())
    assert len(table) == 0
    assert table.lookup("cnn.com") is None


def test_ratings_source_column_and_extra_fields(small: str) -> None:
    rating = RatingsTable.load([small]).lookup("cnn.com")
    assert rating == {"bias": "left", "factual_reporting": "mixed", "domain": "cnn.com", "table": "small.csv"}


def test_ratings_domain_column_named_domain(tmp_path: Path) -> None:
    path = write(tmp_path, "gt.csv", "Domain,reliability_label,newsguard_score\ntheduran.com,-1,17.5\n")
    assert RatingsTable.load([path]).lookup("theduran.com") == {
        "reliability_label": "-1",
        "newsguard_score": "17.5",
        "domain": "theduran.com",
        "table": "gt.csv",
    }


def test_ratings_domain_column_preferred_over_url(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "url,name,domain\nhttps://example.org/home,Example,example.com\n")
    table = RatingsTable.load([path])
    assert table.lookup("example.com") == {"url": "https://example.org/home", "name": "Example",
                                           "domain": "example.com", "table": "t.csv"}
    assert table.lookup("example.org") is None


def test_ratings_url_values_and_www_are_normalised(small: str) -> None:
    table = RatingsTable.load([small])
    assert table.lookup("rt.com")["notes"] == "state media"
    assert table.lookup("https://www.rt.com/russia/123-story/")["domain"] == "rt.com"
    assert table.lookup("WWW.RT.COM")["bias"] == "right-center"


def test_ratings_duplicate_rows_first_wins(small: str) -> None:
    assert RatingsTable.load([small]).lookup("rt.com")["bias"] == "right-center"


def test_ratings_subdomain_falls_back_to_parent(small: str) -> None:
    table = RatingsTable.load([small])
    assert table.lookup("edition.cnn.com")["domain"] == "cnn.com"
    assert table.lookup("https://news.bbc.co.uk/x")["domain"] == "bbc.co.uk"
    assert table.lookup("foxnews.com") is None


def test_ratings_never_matches_a_public_suffix(tmp_path: Path, small: str) -> None:
    table = RatingsTable.load([small])
    # blogspot.com is a public suffix: a blog on it is not rated as blogspot.com.
    assert table.lookup("someone.blogspot.com") is None
    assert table.lookup("blogspot.com")["bias"] == "pro-science"
    path = write(tmp_path, "suffix.csv", "domain,x\nco.uk,1\ncom,2\n")
    assert RatingsTable.load([path]).lookup("unknown.co.uk") is None
    assert RatingsTable.load([path]).lookup("unknown.com") is None


def test_ratings_first_file_wins(tmp_path: Path, small: str) -> None:
    other = write(tmp_path, "other.csv", "domain,bias\ncnn.com,other\nfoxnews.com,right\n")
    table = RatingsTable.load([other, small])
    assert table.lookup("cnn.com") == {"bias": "other", "domain": "cnn.com", "table": "other.csv"}
    assert table.lookup("rt.com")["table"] == "small.csv"
    assert RatingsTable.load([small, other]).lookup("cnn.com")["table"] == "small.csv"


def test_ratings_lookup_returns_a_copy(small: str) -> None:
    table = RatingsTable.load([small])
    table.lookup("cnn.com")["bias"] = "changed"
    assert table.lookup("cnn.com")["bias"] == "left"


def test_ratings_unicode_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufeffdomain,note\nexample.pl,“Łukaszewski” gazette\n", encoding="utf-8")
    assert RatingsTable.load([str(path)]).lookup("example.pl")["note"] == "“Łukaszewski” gazette"


def test_ratings_missing_domain_column_is_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "name,bias\nCNN,left\n")
    with pytest.raises(ConfigError, match="bad.csv") as info:
        RatingsTable.load([path])
    assert "domain" in str(info.value) and "\n" not in str(info.value)


def test_ratings_missing_file_is_config_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(ConfigError, match="nope.csv") as info:
        RatingsTable.load([missing])
    assert "\n" not in str(info.value)


def test_ratings_empty_file_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="empty.csv"):
        RatingsTable.load([write(tmp_path, "empty.csv", "")])


def test_ratings_binary_file_is_config_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"domain,x\n\xff\xfe\x00bad\n")
    with pytest.raises(ConfigError, match="binary.csv"):
        RatingsTable.load([str(path)])


def test_ratings_mbfc_table_loads_and_rates(mbfc_path: Path) -> None:
    table = RatingsTable.load([str(mbfc_path)])
    assert len(table) > 4000
    duran = table.lookup("https://www.theduran.com/putin-isis/")
    assert duran["mbfc_credibility_rating"] == "low credibility"
    assert duran["domain"] == "theduran.com" and duran["table"] == "mbfc-2024-06.csv"
    assert table.lookup("rt.com")["factual_reporting"] == "very low"
    assert table.lookup("edition.cnn.com")["domain"] == "cnn.com"


def test_ratings_golden_truth_table_domain_column() -> None:
    path = SHARED / "data" / "source-ratings" / "reliability-golden-truth.csv"
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (a sibling ../shared folder is needed)")
    rating = RatingsTable.load([str(path)]).lookup("rt.com")
    assert rating is not None and rating["reliability_label"] == "-1"


# --- domain lists (one domain or URL pattern a line, labelled on the command line) ---

IFFY_LIKE = """# Low-credibility sites, one URL pattern a line
https://100percentfedup.com/*
https://www.activistpost.com/*

theduran.com
https://www.westernjournal.com/commentary/*
https://rinf.com/alt-news/*
"""


@pytest.fixture
def iffy(tmp_path: Path) -> str:
    return write(tmp_path, "iffy.txt", IFFY_LIKE)


def test_ratings_domain_list_with_label(iffy: str) -> None:
    table = RatingsTable.load([f"{iffy}:label=low-credibility"])
    rating = table.lookup("https://www.activistpost.com/2024/03/x.html")
    assert rating == {"label": "low-credibility", "domain": "activistpost.com", "table": "iffy.txt"}
    assert table.lookup("news.theduran.com")["domain"] == "theduran.com"
    assert table.lookup("cnn.com") is None and len(table) == 3


def test_ratings_domain_list_url_patterns_rate_only_their_path(iffy: str) -> None:
    table = RatingsTable.load([f"{iffy}:label=low-credibility"])
    assert table.lookup("westernjournal.com") is None
    assert table.lookup("westernjournal.com", url="https://www.westernjournal.com/news/story/") is None
    rating = table.lookup("westernjournal.com", url="https://www.westernjournal.com/commentary/op-ed/")
    assert rating["label"] == "low-credibility" and rating["domain"] == "westernjournal.com"
    assert table.lookup("rinf.com", url="https://rinf.com/alt-news/latest/")["label"] == "low-credibility"


def test_ratings_fields_added_to_every_rating(iffy: str, small: str) -> None:
    table = RatingsTable.load([f"{iffy}:label=low-credibility:list=Iffy index", f"{small}:source_table=mbfc"])
    assert table.lookup("activistpost.com") == {"label": "low-credibility", "list": "Iffy index",
                                                "domain": "activistpost.com", "table": "iffy.txt"}
    assert table.lookup("cnn.com")["source_table"] == "mbfc" and table.lookup("cnn.com")["bias"] == "left"


def test_ratings_domain_list_without_label_is_one_line_error(iffy: str) -> None:
    with pytest.raises(ConfigError, match="iffy.txt") as info:
        RatingsTable.load([iffy])
    message = str(info.value)
    assert "\n" not in message and "label=" in message


def test_ratings_domain_list_bad_line_is_one_line_error(tmp_path: Path) -> None:
    path = write(tmp_path, "list.txt", "rt.com\nthis is not a domain\n")
    with pytest.raises(ConfigError, match=r"list.txt: line 2 is not a domain") as info:
        RatingsTable.load([f"{path}:label=x"])
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("spec", "path", "fields"),
    [
        ("iffy.txt:label=low-credibility", "iffy.txt", (("label", "low-credibility"),)),
        ("data/iffy.txt:label=low:list=Iffy", "data/iffy.txt", (("label", "low"), ("list", "Iffy"))),
        ("mbfc.csv", "mbfc.csv", ()),
        (r"C:\data\mbfc.csv", r"C:\data\mbfc.csv", ()),
        (r"C:\data\iffy.txt:label=low", r"C:\data\iffy.txt", (("label", "low"),)),
    ],
)
def test_ratings_table_spec(spec: str, path: str, fields: tuple) -> None:
    from unspin.ratings import parse_table_spec, table_name

    parsed = parse_table_spec(spec)
    assert (parsed.path, parsed.fields) == (path, fields)
    assert table_name(spec) == parsed.name


def test_ratings_environment_keeps_labels(monkeypatch: pytest.MonkeyPatch, iffy: str, small: str) -> None:
    import os

    from unspin.config import load_options

    monkeypatch.setenv("UNSPIN_RATINGS", os.pathsep.join([small, f"{iffy}:label=low-credibility"]))
    monkeypatch.setenv("UNSPIN_CONFIG", os.devnull)
    assert load_options().ratings == (small, f"{iffy}:label=low-credibility")


def test_ratings_iffy_list_loads(tmp_path: Path) -> None:
    path = SHARED / "data" / "source-ratings" / "iffy-list-2024-08-01.txt"
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (a sibling ../shared folder is needed)")
    table = RatingsTable.load([f"{path}:label=low-credibility"])
    patterns = sum(len(v) for v in table.url_patterns.values())
    assert len(table) + patterns >= 700 and patterns >= 10
    assert table.lookup("https://www.activistpost.com/x")["table"] == path.name


def test_ratings_domain_list_from_the_command_line(capsys: pytest.CaptureFixture[str], iffy: str,
                                                   tmp_path: Path) -> None:
    import json

    from tests.conftest import cli

    article = write(tmp_path, "a.txt", "Talks stall\nThe minister said the talks had stalled.\n")
    code, out, err = cli(capsys, "analyze", article, "--analyzers", "provenance", "--outlet", "activistpost.com",
                         "--format", "json", "--ratings", f"{iffy}:label=low-credibility")
    assert code == 0, err
    data = json.loads(out)
    assert data["provenance"]["outlet"]["rating"]["label"] == "low-credibility"
    assert data["meta"]["ratings_tables"] == ["iffy.txt"]
    code, out, err = cli(capsys, "analyze", article, "--ratings", iffy)
    assert code != 0 and "iffy.txt" in err and "label=" in err and len(err.strip().splitlines()) == 1
