"""The provenance analyzer: footers, wire credits, the outlet, cited sources."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from unspin.analyzers.provenance import Gazetteer, name_key
from unspin.article import Article
from unspin.pipeline import Pipeline
from unspin.types import Analysis, CitedSource

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "syndicated-opinion.txt"
KINDS = {"agency", "state-media", "newspaper", "broadcaster", "magazine", "website"}


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline(analyzers=("entities", "provenance"))


@pytest.fixture(scope="module")
def rated_pipe(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    path = tmp_path_factory.mktemp("ratings") / "ratings.csv"
    path.write_text(
        "domain,bias,credibility\n"
        "rt.com,right-center,low\n"
        "reuters.com,least biased,high\n"
        "cnn.com,left,medium\n"
        "thebalticledger.com,right,low\n",
        encoding="utf-8",
    )
    return Pipeline(ratings=(str(path),), analyzers=("entities", "provenance"))


def analyze(pipe: Pipeline, text: str, **article: str) -> Analysis:
    analysis = pipe.analyze(Article(source="t", text=text, **article))
    check_offsets(analysis)
    return analysis


def check_offsets(analysis: Analysis) -> None:
    text, prov = analysis.text, analysis.provenance
    spans = [c for c in prov.cited_sources] + [c.cue for c in prov.cited_sources if c.cue]
    if prov.syndicated_from:
        spans.append(prov.syndicated_from.evidence)
    if prov.outlet and prov.outlet.evidence:
        spans.append(prov.outlet.evidence)
    for span in spans:
        assert text[span.start : span.end] == span.text


def cited(analysis: Analysis) -> list[tuple[str, str]]:
    return [(c.name, c.text) for c in analysis.provenance.cited_sources]


# --- the gazetteer ---------------------------------------------------------


def test_provenance_gazetteer_is_well_formed() -> None:
    text = resources.files("unspin").joinpath("data/outlets.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["name", "domain", "aliases", "kind", "country"]
    assert len(rows) >= 200
    assert all(r["kind"] in KINDS for r in rows)
    domains = [r["domain"] for r in rows]
    assert len(domains) == len(set(domains))
    assert all(d == d.lower() and "." in d and not d.startswith("www.") for d in domains)
    owners: dict[str, str] = {}
    for row in rows:
        for alias in [row["name"], *filter(None, row["aliases"].split("|"))]:
            assert owners.setdefault(name_key(alias), row["name"]) == row["name"], alias


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("Reuters", "reuters.com"),
        ("AP", "apnews.com"),
        ("the Associated Press", "apnews.com"),
        ("AFP", "afp.com"),
        ("Russia Today", "rt.com"),
        ("TASS", "tass.com"),
        ("Xinhua", "xinhuanet.com"),
        ("People’s Daily", "people.com.cn"),
        ("The Duran", "theduran.com"),
        ("Duran", "theduran.com"),
        ("zerohedge", "zerohedge.com"),
        ("The Baltic Ledger", None),
        ("ZeroHedge", "zerohedge.com"),
        ("the new york times", "nytimes.com"),
        ("Al Mayadeen", "almayadeen.net"),
        ("Kyiv Independent", "kyivindependent.com"),
    ],
)
def test_provenance_gazetteer_finds_names(name: str, domain: str | None) -> None:
    entry = Gazetteer.default().find_name(name)
    assert (entry.domain if entry else None) == domain


def test_provenance_gazetteer_finds_parent_domains() -> None:
    gazetteer = Gazetteer.default()
    assert gazetteer.find_domain("https://edition.cnn.com/x").name == "CNN"
    assert gazetteer.find_domain("www.bbc.com").name == "BBC"
    assert gazetteer.find_domain("example.com") is None


# --- republication footers -------------------------------------------------

FOOTERS = [
    ("The post Putin speaks appeared first on The Duran.", "The Duran", "theduran.com"),
    ("The post Putin speaks first appeared on ZeroHedge.", "Zero Hedge", "zerohedge.com"),
    ("The article Putin speaks was first published on Global Research.", "Global Research", "globalresearch.ca"),
    ("This article originally appeared on TomDispatch.", "TomDispatch", "tomdispatch.com"),
    ("This article originally appeared in The Nation.", "The Nation", "thenation.com"),
    ("This article was originally published by Truthout and is reprinted with permission.", "Truthout",
     "truthout.org"),
    ("Originally published at Consortium News.", "Consortium News", "consortiumnews.com"),
    ("It was first published on Antiwar.com on March 3.", "Antiwar.com", "antiwar.com"),
    ("This article first appeared at salon.com.", "Salon", "salon.com"),
    ("Republished from MintPress News.", "MintPress News", "mintpressnews.com"),
    ("Republished with permission of The Grayzone.", "The Grayzone", "thegrayzone.com"),
    ("This article is republished from The Conversation under a Creative Commons license.", "The Conversation",
     "theconversation.com"),
    ("Reprinted with permission from Common Dreams.", "Common Dreams", "commondreams.org"),
    ("This story was produced by ProPublica.", "ProPublica", "propublica.org"),
    ("This story originally appeared in KFF Health News.", "KFF Health News", "kffhealthnews.org"),
    ("The post Łukaszewski’s “betrayal” remark appeared first on Notes from Poland.", "Notes from Poland",
     "notesfrompoland.com"),
    ("Source: RT", "RT", "rt.com"),
    ("Originally published the Jerusalem Post.", "The Jerusalem Post", "jpost.com"),
    ("This article was originally published by Tyler Durden at Zero Hedge", "Zero Hedge", "zerohedge.com"),
    ("We proudly re-post this, originally released on WealthResearchGroup.com.", "WealthResearchGroup.com",
     "wealthresearchgroup.com"),
    ("©2018 Los Angeles Times, Distributed by Tribune Content Agency, LLC.", "Los Angeles Times", "latimes.com"),
    ("©2018 Deutsche Presse-Agentur GmbH (Hamburg, Germany), Distributed by Tribune Content Agency, LLC.",
     "Deutsche Presse-Agentur", "dpa.com"),
    ("All content created by the Daily Caller News Foundation, an independent newswire, is available free.",
     "Daily Caller News Foundation", "dailycallernewsfoundation.org"),
    ("The post A “curly” title appeared first on The Baltic Ledger.", "The Baltic Ledger", None),
]


@pytest.mark.parametrize(("footer", "name", "domain"), FOOTERS)
def test_provenance_republication_footer_variants(pipe: Pipeline, footer: str, name: str, domain: str | None) -> None:
    text = f"“Łukaszewski” said the deal was signed.\nOfficials did not comment.\n{footer}\n"
    prov = analyze(pipe, text).provenance
    synd = prov.syndicated_from
    assert synd is not None and synd.kind == "republication-footer"
    assert (synd.name, synd.domain) == (name, domain)
    assert footer.startswith(synd.evidence.text) and synd.evidence.start == text.index(footer)
    assert prov.outlet is not None and prov.outlet.basis == "syndication-footer"
    assert (prov.outlet.name, prov.outlet.domain) == (name, domain)
    assert prov.outlet.evidence == synd.evidence


def test_provenance_footer_evidence_is_the_whole_sentence(pipe: Pipeline) -> None:
    footer = "This article is republished from The Conversation under a Creative Commons license."
    text = f"Body text here.\nRead more. {footer}"
    assert analyze(pipe, text).provenance.syndicated_from.evidence.text == footer


def test_provenance_footer_with_crlf_line_ends(pipe: Pipeline) -> None:
    text = "“Łukaszewski” spoke.\r\nRT reported it.\r\nThe post Gas appeared first on The Duran.\r\n"
    prov = analyze(pipe, text).provenance
    assert prov.syndicated_from.evidence.text == "The post Gas appeared first on The Duran."
    assert cited(analyze(pipe, text)) == [("RT", "RT")]


def test_provenance_source_line_needs_a_known_outlet(pipe: Pipeline) -> None:
    prov = analyze(pipe, "The ministry released figures.\nSource: Ministry of Defence\n").provenance
    assert prov.syndicated_from is None and prov.outlet is None


def test_provenance_no_footer_in_mid_text(pipe: Pipeline) -> None:
    lines = ["Intro line.", "Second line.", "Third line.",
             "The claim, originally published by Reuters in 2019, was false.",
             "Fifth.", "Sixth.", "Seventh.", "Eighth."]
    assert analyze(pipe, "\n".join(lines)).provenance.syndicated_from is None


def test_provenance_unknown_footer_outlet_gets_domain_from_ratings(rated_pipe: Pipeline) -> None:
    text = "Critics warn.\nThe post Gas deal appeared first on The Baltic Ledger."
    prov = analyze(rated_pipe, text).provenance
    assert prov.syndicated_from.domain == "thebalticledger.com"
    assert prov.syndicated_from.rating["credibility"] == "low"
    assert prov.outlet.domain == "thebalticledger.com" and prov.outlet.rating["table"] == "ratings.csv"


# --- wire credits ----------------------------------------------------------

WIRE = [
    ("WASHINGTON (Reuters) - The Senate voted on Tuesday.", "Reuters", "WASHINGTON (Reuters) -"),
    ("MOSCOW, Oct 3 (Reuters) – Russia said on Thursday it would respond.", "Reuters", "MOSCOW, Oct 3 (Reuters) –"),
    ("(AP) — Officials said the storm had passed.", "Associated Press", "(AP) —"),
    ("KYIV, Ukraine (AP) — Air raid sirens sounded.", "Associated Press", "KYIV, Ukraine (AP) —"),
    ("PARIS (AFP) - France said on Monday it would act.", "Agence France-Presse", "PARIS (AFP) -"),
    ("KYIV, 3 жовтня (Ukrinform) — Сирени.", "Ukrinform", "KYIV, 3 жовтня (Ukrinform) —"),
    ("(CNN) — A storm hit the coast.", "CNN", "(CNN) —"),
    ("BEIJING — Xinhua — China said it would respond.", "Xinhua", "BEIJING — Xinhua —"),
    ("By The Associated Press", "Associated Press", "By The Associated Press"),
    ("By Reuters Staff", "Reuters", "By Reuters Staff"),
    ("Army to end gang violence JANUARY 17, 2018 / A DAY AGO Reuters Staff STOCKHOLM (Reuters) – Sweden will act.",
     "Reuters", "STOCKHOLM (Reuters) –"),
    ("TAOS, N.M. (AP) — The Latest on the compound.", "Associated Press", "TAOS, N.M. (AP) —"),
]


@pytest.mark.parametrize(("first_line", "name", "evidence"), WIRE)
def test_provenance_wire_credit_at_start(pipe: Pipeline, first_line: str, name: str, evidence: str) -> None:
    text = f"Storm hits “Łódź” coast\n{first_line}\nMore text follows here.\n"
    prov = analyze(pipe, text).provenance
    synd = prov.syndicated_from
    assert synd is not None and synd.kind == "wire-credit"
    assert synd.name == name and synd.evidence.text == evidence
    assert prov.outlet.basis == "wire-credit" and prov.outlet.name == name
    assert not any(c.start < synd.evidence.end and synd.evidence.start < c.end for c in prov.cited_sources)


@pytest.mark.parametrize(
    ("last_line", "name", "evidence"),
    [
        ("The talks will resume next week. — AFP", "Agence France-Presse", "— AFP"),
        ("-- Reuters", "Reuters", "-- Reuters"),
        ("(Reporting by Andrew Osborn in Moscow; Editing by Gareth Jones)", "Reuters",
         "(Reporting by Andrew Osborn in Moscow; Editing by Gareth Jones)"),
        ("Reporting by Jan Łukaszewski; Writing by Anna Kowalska; Editing by Ed Osmond", "Reuters",
         "Reporting by Jan Łukaszewski; Writing by Anna Kowalska; Editing by Ed Osmond"),
        ("Copyright 2024 The Associated Press. All rights reserved.", "Associated Press",
         "Copyright 2024 The Associated Press. All rights reserved."),
        ("© Agence France-Presse", "Agence France-Presse", "© Agence France-Presse"),
        ("©2022 Bloomberg L.P.", "Bloomberg", "©2022 Bloomberg L.P."),
        ("Our Standards: The Thomson Reuters Trust Principles.", "Reuters",
         "Our Standards: The Thomson Reuters Trust Principles."),
    ],
)
def test_provenance_wire_credit_at_end(pipe: Pipeline, last_line: str, name: str, evidence: str) -> None:
    text = f"Talks stall\nThe talks stalled on “Tuesday”, officials said.\n{last_line}\n"
    synd = analyze(pipe, text).provenance.syndicated_from
    assert synd is not None and synd.kind == "wire-credit"
    assert synd.name == name and synd.evidence.text == evidence


def test_provenance_dash_signoff_needs_an_agency(pipe: Pipeline) -> None:
    text = "Title\nThe truth is simple: Brussels has sold out its citizens — again.\n"
    assert analyze(pipe, text).provenance.syndicated_from is None


def test_provenance_footer_wins_over_wire_credit(pipe: Pipeline) -> None:
    text = "MOSCOW (Reuters) - Talks stalled.\nThe post Talks stalled appeared first on The Duran."
    prov = analyze(pipe, text).provenance
    assert prov.syndicated_from.name == "The Duran"
    assert prov.cited_sources == []


# --- the outlet ------------------------------------------------------------


def test_provenance_outlet_from_url_domain(rated_pipe: Pipeline) -> None:
    prov = analyze(rated_pipe, "Text.\nThe post X appeared first on The Duran.", url="https://www.rt.com/news/1/",
                   outlet_domain="www.rt.com", outlet_basis="url").provenance
    outlet = prov.outlet
    assert (outlet.name, outlet.domain, outlet.basis, outlet.evidence) == ("RT", "rt.com", "url", None)
    assert outlet.rating["credibility"] == "low" and outlet.rating["domain"] == "rt.com"
    assert prov.syndicated_from.name == "The Duran"


def test_provenance_outlet_subdomain_rated_by_parent(rated_pipe: Pipeline) -> None:
    outlet = analyze(rated_pipe, "Text.", outlet_domain="edition.cnn.com", outlet_basis="url").provenance.outlet
    assert (outlet.name, outlet.domain) == ("CNN", "edition.cnn.com")
    assert outlet.rating["domain"] == "cnn.com"


def test_provenance_outlet_given_by_name(pipe: Pipeline) -> None:
    outlet = analyze(pipe, "Text.", outlet_name="Zero Hedge", outlet_basis="given").provenance.outlet
    assert (outlet.name, outlet.domain, outlet.basis, outlet.rating) == ("Zero Hedge", "zerohedge.com", "given", None)


def test_provenance_outlet_from_html_metadata_keeps_given_name(pipe: Pipeline) -> None:
    outlet = analyze(pipe, "Text.", outlet_name="The Baltic Ledger", outlet_domain="balticledger.eu",
                     outlet_basis="html-metadata").provenance.outlet
    assert (outlet.name, outlet.domain, outlet.basis) == ("The Baltic Ledger", "balticledger.eu", "html-metadata")


def test_provenance_no_outlet(pipe: Pipeline) -> None:
    prov = analyze(pipe, "Nothing here names an outlet.").provenance
    assert prov.outlet is None and prov.syndicated_from is None and prov.cited_sources == []


# --- cited sources ---------------------------------------------------------

CUES = [
    ("Reuters reports that talks stalled.", "Reuters", "Reuters", "reports"),
    ("RT reports:\n“The group remains a threat.”", "RT", "RT", "reports"),
    ("Critics call it a victory, RT reported, citing diplomats.", "RT", "RT", "reported"),
    ("CNN said on Monday that the talks failed.", "CNN", "CNN", "said"),
    ("The Guardian wrote that the plan was “doomed”.", "The Guardian", "The Guardian", "wrote"),
    ("TASS quoted the minister as saying no.", "TASS", "TASS", "quoted"),
    ("Sputnik cited a source close to the talks.", "Sputnik", "Sputnik", "cited"),
    ("The Washington Post has learned that the deal is off.", "The Washington Post", "The Washington Post",
     "has learned"),
    ("Axios broke the story on Friday.", "Axios", "Axios", "broke the story"),
    ("Zero Hedge claimed the data was faked.", "Zero Hedge", "Zero Hedge", "claimed"),
    ("Bloomberg revealed the figures last week.", "Bloomberg", "Bloomberg", "revealed"),
    ("The deal is dead, according to Reuters.", "Reuters", "Reuters", "according to"),
    ("The deal is dead, according to a report by the Financial Times.", "Financial Times", "Financial Times",
     "according to a report by"),
    ("The deal is dead, according to the BBC.", "BBC", "BBC", "according to"),
    ("According to Dawn, the army moved in.", "Dawn", "Dawn", "According to"),
    ("The deal is dead, as reported by Politico.", "Politico", "Politico", "as reported by"),
    ("The minister told CNN on Sunday that it was over.", "CNN", "CNN", "told"),
    ("Speaking to Sky News, the minister denied it.", "Sky News", "Sky News", "Speaking to"),
    ("In an interview with Fox News, he warned of war.", "Fox News", "Fox News", "In an interview with"),
    ("He said in an interview with Le Monde that “Łódź” was calm.", "Le Monde", "Le Monde",
     "in an interview with"),
    ("CNN’s report said the deal was off.", "CNN", "CNN", "’s report"),
    ("Reuters’ investigation found no evidence.", "Reuters", "Reuters", "’ investigation"),
    ("Officials denied a report by Al Jazeera.", "Al Jazeera", "Al Jazeera", "a report by"),
    ("Officials denied a report in the New York Times.", "The New York Times", "the New York Times",
     "a report in"),
    ("Xinhua news agency reported the launch.", "Xinhua", "Xinhua", "reported"),
    ("The claim was cited by RIA Novosti.", "RIA Novosti", "RIA Novosti", "cited by"),
    ("The chart went viral via Zero Hedge.", "Zero Hedge", "Zero Hedge", "via"),
    ("The senator wrote in The Atlantic that the plan failed.", "The Atlantic", "The Atlantic", "wrote in"),
    ("The ministry denied the claim (Reuters).", "Reuters", "Reuters", "(Reuters)"),
    ("He told the Russian state news agency TASS that the talks failed.", "TASS", "TASS", "told"),
    ("Zbigniew Łukaszewski told Politico that the deal was “a betrayal”.", "Politico", "Politico", "told"),
    ("Deutsche Welle reported that “Łukaszewski” resigned.", "Deutsche Welle", "Deutsche Welle", "reported"),
    ("Talks failed, the Financial Times (FT) said, citing officials.", "Financial Times", "Financial Times", "said"),
    ("An aide wrote in an op-ed for The Hill that the deal failed.", "The Hill", "The Hill", "an op-ed for"),
    ("The minister spoke to the Kyiv Independent on Friday.", "Kyiv Independent", "the Kyiv Independent",
     "spoke to"),
]


@pytest.mark.parametrize(("text", "name", "mention", "cue"), CUES)
def test_provenance_cited_source_cue_variants(pipe: Pipeline, text: str, name: str, mention: str, cue: str) -> None:
    text = f"Talks stall\n{text}"
    analysis = analyze(pipe, text)
    sources = analysis.provenance.cited_sources
    assert [(c.name, c.text) for c in sources] == [(name, mention)]
    source = sources[0]
    assert source.start == text.index(mention) and text[source.start : source.end] == mention
    assert source.cue is not None and source.cue.text == cue
    assert source.domain is not None


@pytest.mark.parametrize(
    "text",
    [
        "Michael Bloomberg said the plan would work.",
        "Reuters is a news agency based in London.",
        "A positive RT-PCR test was reported.",
        "She visited the CNN Center in Atlanta and said nothing.",
        "The report went to rt.community members.",
        "Do you have a story for The US Sun team? Email us.",
        "He reads the Financial Times (FT) every day.",
        "Dawn broke over the city.",
        "Dawn said that she was tired.",
    ],
)
def test_provenance_not_a_citation(pipe: Pipeline, text: str) -> None:
    assert analyze(pipe, text).provenance.cited_sources == []


def test_provenance_every_mention_is_listed(pipe: Pipeline) -> None:
    text = "Reuters reported the strike. RT reported it too. Later Reuters reported a second strike."
    sources = analyze(pipe, text).provenance.cited_sources
    assert [(c.name, c.start) for c in sources] == [
        ("Reuters", 0), ("RT", text.index("RT ")), ("Reuters", text.rindex("Reuters"))]


def test_provenance_footer_mentions_are_not_citations(pipe: Pipeline) -> None:
    text = "Body text.\nThe post Reuters reports on Syria appeared first on The Duran."
    assert analyze(pipe, text).provenance.cited_sources == []


def test_provenance_unknown_outlet_with_strong_cue(pipe: Pipeline) -> None:
    text = "Talks stall\nThe minister told the Baltic Ledger that the deal was “dead”."
    (source,) = analyze(pipe, text).provenance.cited_sources
    assert (source.name, source.domain, source.text) == ("Baltic Ledger", None, "Baltic Ledger")
    assert source.cue.text == "told"
    assert source.start == text.index("Baltic Ledger")


def test_provenance_unknown_outlet_with_weak_cue_is_ignored(pipe: Pipeline) -> None:
    text = "Talks stall\nThe Baltic Ledger said the deal was dead."
    assert analyze(pipe, text).provenance.cited_sources == []


def test_provenance_cited_sources_are_rated(rated_pipe: Pipeline) -> None:
    sources = analyze(rated_pipe, "RT reported the strike, according to Reuters.").provenance.cited_sources
    assert [(c.name, c.rating["credibility"]) for c in sources] == [("RT", "low"), ("Reuters", "high")]


# --- real articles ---------------------------------------------------------


def test_provenance_example_article(pipe: Pipeline) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    prov = analyze(pipe, text).provenance
    assert (prov.outlet.name, prov.outlet.domain, prov.outlet.basis) == (
        "The Baltic Ledger", None, "syndication-footer")
    assert prov.syndicated_from.kind == "republication-footer"
    assert prov.syndicated_from.evidence.text.startswith("The post Europe’s gas deal")
    assert cited(analysis := analyze(pipe, text)) == [
        ("Reuters", "Reuters"), ("Politico", "Politico"), ("Fox News", "Fox News"), ("RT", "RT")]
    assert [c.cue.text for c in analysis.provenance.cited_sources] == [
        "reports", "told", "In an interview with", "reported"]


@pytest.fixture(scope="module")
def seed_text() -> str:
    path = SHARED / "data" / "seed" / "duran-putin-isis-threat.txt"
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (a sibling ../shared folder is needed)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mbfc_pipe() -> Pipeline:
    path = SHARED / "data" / "source-ratings" / "mbfc-2024-06.csv"
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (a sibling ../shared folder is needed)")
    return Pipeline(ratings=(str(path),), analyzers=("entities", "provenance"))


def test_provenance_seed_article(pipe: Pipeline, seed_text: str) -> None:
    prov = analyze(pipe, seed_text).provenance
    assert (prov.outlet.name, prov.outlet.domain, prov.outlet.rating) == ("The Duran", "theduran.com", None)
    assert prov.syndicated_from.name == "The Duran"
    assert prov.syndicated_from.evidence.text.endswith("appeared first on The Duran.")
    rt = seed_text.index("RT reports:")
    assert [(c.name, c.domain, c.start, c.end) for c in prov.cited_sources] == [("RT", "rt.com", rt, rt + 2)]


def test_provenance_seed_article_with_mbfc(mbfc_pipe: Pipeline, seed_text: str) -> None:
    prov = analyze(mbfc_pipe, seed_text).provenance
    assert prov.outlet.rating["mbfc_credibility_rating"] == "low credibility"
    assert prov.syndicated_from.rating["domain"] == "theduran.com"
    (rt,) = prov.cited_sources
    assert isinstance(rt, CitedSource) and rt.text == "RT" and rt.cue.text == "reports"
    assert rt.rating["domain"] == "rt.com" and rt.rating["factual_reporting"] == "very low"


def test_provenance_analysis_round_trips_json(pipe: Pipeline) -> None:
    analysis = analyze(pipe, EXAMPLE.read_text(encoding="utf-8"))
    assert Analysis.from_json(analysis.to_json()).provenance == analysis.provenance


# --- credits and self-references (real-looking pages) ----------------------

SPUTNIK_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Russia warns London over arms deliveries - Sputnik International</title>
<meta property="og:site_name" content="Sputnik International">
<meta property="og:type" content="article">
<link rel="canonical" href="https://sputnikglobe.com/20240305/russia-warns-london-1117123456.html">
</head><body>
<header><nav><ul><li><a href="/">World</a></li><li><a href="/russia">Russia</a></li></ul></nav></header>
<main><article>
<h1>Russia warns London over arms deliveries</h1>
<div class="article__text">
<p>{dateline}Russian Foreign Ministry spokeswoman Maria Zakharova said on Tuesday that London’s new arms
deliveries to Kiev would prolong the conflict and make the United Kingdom a party to it.</p>
<p>“The British government knows very well where these weapons end up,” Zakharova told reporters at a weekly
briefing in Moscow, adding that Russia would respond to any escalation.</p>
<p>© REUTERS / Toby Melville</p>
</div></article></main>
<footer><p>Sputnik International: news of the world</p></footer>
</body></html>"""

GLOBE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Assembly passes water bill after late-night session – California Globe</title>
<meta property="og:site_name" content="California Globe">
<link rel="canonical" href="https://californiaglobe.com/articles/assembly-passes-water-bill/">
</head><body><article>
<h1>Assembly passes water bill after late-night session</h1>
<p>By Evan Symon, March 5, 2024 2:45 pm</p>
<p>The California Assembly passed a contested water storage bill late on Monday after a session that ran past
midnight, sending the measure to the Senate with a narrow majority of 42 votes.</p>
<p>Assemblyman Devon Mathis, who wrote the bill, told the Globe on Tuesday that the vote was “a win for every
farmer in the Central Valley” and that he expected the Senate to act within weeks.</p>
<p>Opponents, including several environmental groups, said the bill would drain wetlands, and the Sacramento
Bee reported that the governor’s office had not yet taken a position on the measure.</p>
</article></body></html>"""


def html_article(page: str, source: str = "page.html") -> Article:
    from unspin.inputs.html import article_from_html

    return article_from_html(page, source=source)


def test_provenance_photo_credit_is_not_a_wire_credit(rated_pipe: Pipeline) -> None:
    """A Sputnik article with a Reuters picture is Sputnik's, not Reuters' (nor rated as Reuters)."""
    analysis = rated_pipe.analyze(html_article(SPUTNIK_PAGE.replace("{dateline}", "")))
    check_offsets(analysis)
    prov = analysis.provenance
    assert "© REUTERS / Toby Melville" in analysis.text
    assert (prov.outlet.name, prov.outlet.domain, prov.outlet.basis) == (
        "Sputnik International", "sputnikglobe.com", "html-metadata")
    assert prov.syndicated_from is None and prov.cited_sources == []
    assert "reuters.com" not in analysis.to_json().replace("reuters.com/", "")
    (credit,) = [b for b in analysis.boilerplate if b.kind == "image-credit"]
    assert (credit.text, credit.rule, credit.credited.text) == ("© REUTERS / Toby Melville", "photo-copyright",
                                                                "REUTERS")


def test_provenance_dateline_credit_wins_over_a_photo_credit(pipe: Pipeline) -> None:
    analysis = pipe.analyze(html_article(SPUTNIK_PAGE.replace("{dateline}", "MOSCOW (Sputnik) - ")))
    check_offsets(analysis)
    synd = analysis.provenance.syndicated_from
    assert (synd.name, synd.kind, synd.rule, synd.evidence.text) == (
        "Sputnik", "wire-credit", "agency-dateline", "MOSCOW (Sputnik) -")


@pytest.mark.parametrize(
    "credit",
    [
        "© REUTERS / Toby Melville",
        "Protesters outside Downing Street on Tuesday. REUTERS/Toby Melville",
        "The prime minister arrives in Brussels (AP Photo/Virginia Mayo)",
        "Photo: AFP",
        "Image: Reuters",
        "(Photo by Kirill Kudryavtsev/AFP via Getty Images)",
        "© Provided by Reuters Protesters gather outside parliament",
    ],
)
def test_provenance_image_credits_never_credit_the_text(rated_pipe: Pipeline, credit: str) -> None:
    text = (f"Talks stall in “Łódź”\nThe minister said the talks had stalled.\nOfficials did not comment.\n{credit}\n")
    prov = analyze(rated_pipe, text).provenance
    assert prov.syndicated_from is None and prov.outlet is None and prov.cited_sources == []


REUTERS_STORY = """Oil prices rise as OPEC+ weighs cuts
LONDON, March 5 (Reuters) - Oil prices rose on Tuesday as traders bet that OPEC+ would extend its output cuts.
Brent crude futures were up 62 cents, or 0.8%, at $83.42 a barrel by 1012 GMT.
“The market is tight,” said Tamas Varga of oil broker PVM.
(Reporting by Alex Lawler; Editing by Jan Harvey)
"""


def test_provenance_reuters_story_keeps_the_rule_of_each_credit(pipe: Pipeline) -> None:
    analysis = analyze(pipe, REUTERS_STORY)
    synd = analysis.provenance.syndicated_from
    assert (synd.name, synd.rule, synd.evidence.text) == ("Reuters", "agency-dateline", "LONDON, March 5 (Reuters) -")
    rules = {b.rule: b.kind for b in analysis.boilerplate}
    assert rules == {"agency-dateline": "dateline", "reporting-by": "byline"}


def test_provenance_reporting_by_alone_credits_reuters(pipe: Pipeline) -> None:
    text = REUTERS_STORY.replace("LONDON, March 5 (Reuters) - ", "")
    synd = analyze(pipe, text).provenance.syndicated_from
    assert (synd.name, synd.rule) == ("Reuters", "reporting-by")


def test_provenance_agency_byline_credits_the_agency(pipe: Pipeline) -> None:
    text = ("Storm batters coast\nBy The Associated Press\nA storm hit the Gulf Coast on Tuesday, officials said.\n"
            "Thousands were without power.\n")
    synd = analyze(pipe, text).provenance.syndicated_from
    assert (synd.name, synd.rule, synd.evidence.text) == ("Associated Press", "byline", "By The Associated Press")


def test_provenance_staff_byline_credits_nobody(pipe: Pipeline) -> None:
    text = "Storm batters coast\nBy Jane Doe\nA storm hit the Gulf Coast on Tuesday, officials said.\n"
    assert analyze(pipe, text).provenance.syndicated_from is None


def test_provenance_outlet_never_cites_itself(pipe: Pipeline) -> None:
    """"told the Globe" in a California Globe article is the outlet's own reporting."""
    analysis = pipe.analyze(html_article(GLOBE_PAGE))
    check_offsets(analysis)
    prov = analysis.provenance
    assert (prov.outlet.name, prov.outlet.domain) == ("California Globe", "californiaglobe.com")
    assert "told the Globe" in analysis.text
    assert [(c.name, c.cue.text, c.rule) for c in prov.cited_sources] == [
        ("Sacramento Bee", "reported", "media-name cue-after")]


@pytest.mark.parametrize(
    ("outlet", "text", "cited"),
    [
        ("nytimes.com", "The senator told The New York Times that the deal was dead.", []),
        ("nytimes.com", "The senator told the Times that the deal was dead.", []),
        ("nytimes.com", "The senator told The Washington Post that the deal was dead.", ["The Washington Post"]),
        ("edition.cnn.com", "A spokesman told CNN that the deal was dead.", []),
        ("rt.com", "Russia Today reported that the deal was dead, citing Reuters.", ["Reuters"]),
    ],
)
def test_provenance_self_references_by_domain_and_name(pipe: Pipeline, outlet: str, text: str,
                                                       cited: list[str]) -> None:
    prov = analyze(pipe, f"Talks stall\n{text}\n", outlet_domain=outlet, outlet_basis="url").provenance
    assert [c.name for c in prov.cited_sources] == cited


def test_provenance_syndicated_outlet_does_not_cite_itself(pipe: Pipeline) -> None:
    text = ("Talks stall\nThe Duran reported on Monday that talks had stalled, and RT reported it too.\n"
            "The post Talks stall appeared first on The Duran.\n")
    assert cited(analyze(pipe, text)) == [("RT", "RT")]


def test_provenance_cited_source_rules(pipe: Pipeline) -> None:
    text = ("Talks stall\nReuters reported the strike. The minister told CNN it was over. CNN’s report said so. "
            "The ministry denied it (AFP). The minister told the Baltic Ledger that it was “dead”.\n")
    assert [(c.name, c.rule) for c in analyze(pipe, text).provenance.cited_sources] == [
        ("Reuters", "known-outlet cue-after"), ("CNN", "known-outlet cue-before"), ("CNN", "known-outlet possessive"),
        ("Agence France-Presse", "known-outlet parenthetical"), ("Baltic Ledger", "media-name cue-before")]
