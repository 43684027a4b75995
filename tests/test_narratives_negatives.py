"""Off-topic negatives for the fast narratives model: chosen reproducibly, used in every fit, never scored."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from unspin.cli import cli

CLIMATE = "The climate tax is a scam pushed by globalist elites who want to control farmers and their land."
WAR = "Kyiv shelled the civilians again, and the western weapons keep the war going for the arms makers."
NEUTRAL = "The local bakery opened a second shop near the station, selling bread and cakes every morning."
POLITICS = "The senator told voters at the rally that the campaign would win the swing states in November."


def _feats(texts):
    from unspin.training.framing_lexical import featurize

    return featurize(texts)


def _toy():
    """Twelve annotated articles, two narratives and Other; every one mentions the campaign, as news does."""
    texts, gold_n, gold_s = [], [], []
    for k in range(4):
        texts.append(f"{CLIMATE} {POLITICS} Day {k}.")
        gold_n.append(["CC: Criticism of climate policies"])
        gold_s.append(["CC: Criticism of climate policies: Climate policies are only for profit"])
        texts.append(f"{WAR} {POLITICS} Day {k}.")
        gold_n.append(["URW: Blaming the war on others rather than the invader"])
        gold_s.append(["URW: Blaming the war on others rather than the invader: The West are the aggressors"])
        texts.append(f"{NEUTRAL} Day {k}.")
        gold_n.append(["Other"])
        gold_s.append(["Other"])
    return _feats(texts), gold_n, gold_s


def test_off_topic_negatives_lower_the_narrative_scores_of_off_topic_news():
    from unspin.framing.doc import narratives_proba
    from unspin.training.framing_lexical import train_narratives

    feats, gold_n, gold_s = _toy()
    negatives = _feats([f"{POLITICS} Poll number {k} came out today, the debate is next week." for k in range(8)])
    plain = train_narratives(feats, gold_n, gold_s, inner_folds=3, min_df=1)
    taught = train_narratives(feats, gold_n, gold_s, inner_folds=3, min_df=1, negatives=negatives)
    off_topic = _feats([f"{POLITICS} The debate is next week."])[0]
    p_plain, p_taught = narratives_proba(plain, off_topic)[0], narratives_proba(taught, off_topic)[0]
    assert p_taught.max() < p_plain.max()
    # the annotated articles still get their narrative from both models
    on_topic = _feats([f"{CLIMATE} A new day."])[0]
    labels = taught.heads["narratives"].labels
    assert labels[int(np.argmax(narratives_proba(taught, on_topic)[0]))] == "CC: Criticism of climate policies"


def test_extra_articles_join_every_inner_fit_and_are_never_scored():
    from unspin.training.framing_lexical import oof_logits

    feats = _feats([f"{NEUTRAL} {k}" for k in range(6)])
    extra = _feats([POLITICS, POLITICS + " again"])
    seen = []

    def fit(X, idx):
        seen.append(sorted(idx.tolist()))
        assert X.shape[0] == len(idx)
        return np.zeros((X.shape[1], 1)), np.zeros(1)

    Z = oof_logits(feats, fit, 1, 3, 13, 1, extra=extra)
    assert Z.shape == (6, 1) and len(seen) == 3
    assert all({6, 7} <= set(s) and len(s) == 4 + 2 for s in seen)  # 4 of the 6 annotated + both extra
    held_out = [sorted(set(range(6)) - set(s)) for s in seen]
    assert sorted(i for h in held_out for i in h) == list(range(6))


def test_negatives_leave_out_articles_about_the_narratives_domains(tmp_path):
    from unspin.training.framing import NARRATIVE_DOMAINS, load_negatives

    folder = tmp_path / "news"
    folder.mkdir()
    pad = " " + NEUTRAL * 4
    (folder / "a.txt").write_text(POLITICS + pad, encoding="utf-8")
    (folder / "b.txt").write_text("Kyiv: the Ukrainian army advanced." + pad, encoding="utf-8")
    (folder / "c.txt").write_text("Global warming is a hoax, says the senator." + pad, encoding="utf-8")
    (folder / "e.txt").write_text("The senator's computing budget and NATO." + pad, encoding="utf-8")
    (folder / "d.txt").write_text("Élections: “the campaign” — a café owner 😀 speaks." + pad, encoding="utf-8")
    docs, meta = load_negatives([folder], None, 13)
    assert sorted(d.id for d in docs) == ["0:a.txt", "0:d.txt"]
    assert not any(NARRATIVE_DOMAINS.search(d.text) for d in docs)
    # whole words only: "senator" holds "nato" and "computing" holds "putin"
    assert not NARRATIVE_DOMAINS.search(POLITICS + " computing carbonara remission")
    assert next(d for d in docs if d.id == "0:d.txt").text.startswith("Élections: “the campaign”")
    assert meta["articles"] == 2 and meta["sources"].startswith("2 from ")
    assert [d.id for d in load_negatives([folder], 1, 13)[0]] == [docs[0].id]  # the seeded order, cut


def test_negatives_refused_where_no_article_is_off_topic(tmp_path):
    from unspin.errors import ConfigError
    from unspin.training.framing import load_negatives

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(("Putin and NATO. " + NEUTRAL) * 5, encoding="utf-8")
    with pytest.raises(ConfigError, match="no article in .* is off the narratives' topics"):
        load_negatives([folder], None, 13)


def test_negatives_folder_without_texts_is_named_for_what_it_is_for(tmp_path):
    from unspin.errors import InputError
    from unspin.training.framing import load_negatives

    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty: holds no \.txt files to use as off-topic articles \(--negatives\)"):
        load_negatives([tmp_path / "empty"], None, 13)


@pytest.mark.parametrize("args, message", [
    (["train", "narratives", "--negatives-max", "5"], "--negatives-max: give the folders with --negatives"),
    (["train", "narratives", "--model", "accurate", "--negatives", "{d}"], "--negatives: only for the fast"),
    (["eval", "narratives", "--model", "accurate", "--negatives", "{d}"], "--negatives: only for the fast"),
])
def test_negatives_options_are_checked_in_one_line(args, message, tmp_path):
    args = [a.format(d=tmp_path) for a in args] + ["--data", str(tmp_path)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("task, tier", [("frames", "fast"), ("narratives", "accurate"), ("genre", "fast")])
def test_negatives_refused_from_python_for_other_models(task, tier, tmp_path):
    from unspin.errors import ConfigError
    from unspin.training import framing

    for run in (framing.train, framing.evaluate):
        with pytest.raises(ConfigError, match="--negatives: only for the fast narratives model"):
            run(task, tmp_path, tier=tier, negatives=[tmp_path])


def test_only_the_narratives_commands_offer_negatives():
    for task in ("genre", "frames", "roles"):
        assert "--negatives" not in CliRunner().invoke(cli, ["train", task, "--help"]).output
    assert "--negatives" in CliRunner().invoke(cli, ["train", "narratives", "--help"]).output
    assert "--negatives" in CliRunner().invoke(cli, ["eval", "narratives", "--help"]).output


def test_shipped_narratives_model_records_its_negatives():
    from unspin.models import packaged_dir

    meta = json.loads((packaged_dir("narratives-fast") / "meta.json").read_text(encoding="utf-8"))
    neg = meta["training_data"]["negatives"]
    assert neg["articles"] == 362 and "--negatives-max 362" in meta["command"]
    card = (packaged_dir("narratives-fast") / "CARD.md").read_text(encoding="utf-8")
    assert "362 off-topic news articles" in card and "none of 70 held-out" in card
