"""Fit the model that chooses which result answers a sheet row (``extractor/nlp/choice_model.json``).

    python scripts/train_choice.py [--bench ../shared/bench] [--workers 2]      # about a minute on 2 cores

Every sheet row ``fill`` weighs candidates for (:func:`extractor.evidence.fill.choices`) is read, each
candidate seen through :func:`extractor.evidence.choose.features` and labelled from what people found:
- the ICO dev sheet (``ico-dev``): a candidate is right when the numbers it would fill (the two arms'
  events, or their means) are the answer's; it is wrong when they differ or the answer says "not
  reported";
- the Evidence Inference train split (``ei``): a candidate is right when every value text it cites lies
  in one of the passages clinicians marked for the prompt, or one passage says all its numbers; wrong
  otherwise; prompts whose passages hold no numbers teach nothing and are left out.
Two models are fitted (scikit-learn's logistic regression), then written as plain numbers:
1. a ranking: a weight per feature such that a row's right candidates score above its wrong ones,
   learned from the differences of every right-wrong pair of a row;
2. a confidence: the probability that the candidate ranked first is right, from its rank score, its
   lead over candidates filling in other numbers, how many candidates there are and its features,
   learned from rankings fitted without the row (5 folds), so that it knows held-out rankings.
A row is filled when that probability reaches the threshold: the one that maximises right rows minus
twice the wrong ones (a wrong number costs more than a blank) over both sets, an ICO row counting
``ICO_WEIGHT`` times, each row's probability held out. (Chosen on the ICO sheet's 177 rows alone,
the threshold moved by 0.01-0.03 with refits that changed a handful of candidates, shifting about
five rows each way; over both sets' 600 rows it holds.) The EI validation and test splits are left
for measuring (``../shared/bench/run_all.sh``).
scikit-learn is needed only here (``pip install scikit-learn``); the extractor reads the numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.evidence import sheet_trials  # noqa: E402
from extractor.evidence.choose import (  # noqa: E402
    FEATURES,
    ROW_FEATURES,
    features,
    fill_numbers,
    rivals_of,
    row_view,
)
from extractor.evidence.compare import side  # noqa: E402
from extractor.evidence.fill import Query, choices  # noqa: E402

OUT = ROOT / "extractor" / "nlp" / "choice_model.json"
WRONG_COST = 2.0  # a wrong number in a meta-analysis is worse than a blank one
# An ICO example counts twice: its label is the task's own (the reviewers' numbers), where EI's is a
# proxy (where the values were cited). Of 1, 2 and 3, held out, 2 gives the most right - 2 x wrong
# rows over both sets (22, 44, 31).
ICO_WEIGHT = 2.0
# The confidence's regularisation: of 0.1, 0.3, 1 and 3, held out, 0.3 and 1 give the same gain
# (right - 2 x wrong over both sets) and 0.3 fills more rows.
CONFIDENCE_C = 0.3
SMOOTHING = 0.05  # the threshold's gain is averaged over this much either side
# A passage "holds numbers" and texts are compared as ../shared/bench/score_evidence.py does it.
_STATS = re.compile(r"[Pp]\s*[<=>\u2264\u2265]\s*0?\.\d+|95\s*%\s*(?:CI|confidence interval)[^;)]*|"
                    r"\b[tFz]\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\)\s*=\s*[-\u2212]?\s*\.?\d+(?:\.\d+)?|\u03c7\s*2?\s*=\s*\d+(?:\.\d+)?")

# One sheet row: its set ("ico", "ei-train"), its id, and each candidate's features (in FEATURES
# order), label and rivals (the candidates filling in other numbers).
Row = tuple[str, str, list[list[float]], list[int], list[list[int]]]


def _squash(text: str) -> str:
    return re.sub(r"[\s\u2009\u202f\u00a0]+", "", text).replace("\u2212", "-").replace("\u2013", "-").lower()


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip().replace(",", ""))
    except ValueError:
        return None
    return None if math.isnan(value) else value


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a))


def _ico_label(answer: dict[str, str], result: object, names: tuple[str, str], arms: dict) -> int:
    """1 when the candidate fills the answer's events (binary) or means (continuous)."""
    sides = [side(result.value_for(n), arms[n]) for n in names]  # type: ignore[attr-defined]
    if answer["outcome_type"] == "binary":
        got, want = [s.events for s in sides], ("intervention_events", "comparator_events")
    else:
        got, want = [s.mean for s in sides], ("intervention_mean", "comparator_mean")
    return int(all(_same(_number(answer[w]), g) for w, g in zip(want, got, strict=True)))


def _ei_label(passages: list[str], result: object, names: tuple[str, str]) -> int:
    """1 when every value text the candidate cites lies in one of the marked passages, or says
    numbers all of which one passage says (the same result reported in another place)."""
    cited = [_squash(e.text) for n in names for e in result.value_for(n).evidence if e.text]  # type: ignore[attr-defined]
    if cited and all(any(c in p or p in c for p in passages) for c in cited):
        return 1
    said = set(_NUMBER.findall(" ".join(cited).replace("\u00b7", ".")))
    return int(bool(said) and any(said <= set(_NUMBER.findall(p.replace("\u00b7", "."))) for p in passages))


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _rows_of(job: tuple[str, list[dict[str, str]], str, dict]) -> list[Row]:
    """The rows of one document (run in a worker)."""
    name, rows, docs, gold = job
    out: list[Row] = []
    for row, trial in sheet_trials(rows, Path(docs)):
        if trial is None:
            continue
        query = Query(row["outcome"], row["intervention"], row["comparator"], row.get("outcome_type") or None)
        among = choices(trial, query)
        if among is None or not among.candidates:
            continue
        candidates = list(among.candidates)
        rivals = rivals_of([fill_numbers(r, among.arms) for _, r in candidates])
        seen = features(candidates, query.outcome, among.abbreviations, among.arms, rivals=rivals)
        if name == "ico":
            labels = [_ico_label(gold[row["id"]], r, among.names, dict(among.arms)) for _, r in candidates]
        else:
            labels = [_ei_label(gold[row["id"]], r, among.names) for _, r in candidates]
        out.append((name, row["id"], [[v[f] for f in FEATURES] for v in seen], labels, rivals))
    return out


def _jobs(bench: Path, split: str | None) -> Iterator[tuple[str, list[dict[str, str]], str, dict]]:
    """One job per document: ICO rows (with their answers), or EI rows of ``split`` (with their
    passages that hold numbers)."""
    if split is None:
        answers = {r["id"]: r for r in csv.DictReader(open(bench / "ico-dev" / "answers.csv", newline=""))}
        rows = [{**r, "outcome_type": answers[r["id"]]["outcome_type"]}
                for r in csv.DictReader(open(bench / "ico-dev" / "sheet.csv", newline=""))]
        yield from _by_document("ico", rows, bench / "ico-dev" / "docs", answers)
        return
    gold = {}
    for g in map(json.loads, open(bench / "ei" / "evidence.jsonl")):
        numeric = [_squash(p) for p in g["evidence"] if len(_NUMBER.findall(_STATS.sub(" ", p))) >= 2]
        if g["split"] == split and numeric:
            gold[g["id"]] = numeric
    rows = [r for r in csv.DictReader(open(bench / "ei" / "sheet.csv", newline="")) if r["id"] in gold]
    yield from _by_document(f"ei-{split}", rows, bench / "ei" / "docs", gold)


def _by_document(name: str, rows: list[dict[str, str]], docs: Path, gold: dict) -> Iterator[tuple]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        grouped[r["pmcid"]].append(r)
    for group in grouped.values():
        yield name, group, str(docs), {r["id"]: gold[r["id"]] for r in group}


def collect(bench: Path, workers: int) -> list[Row]:
    jobs = [*_jobs(bench, None), *_jobs(bench, "train")]
    with Pool(workers) as pool:
        rows = [r for part in pool.imap_unordered(_rows_of, jobs, chunksize=4) for r in part]
    return sorted(rows, key=lambda r: (r[0], r[1]))  # the workers' order does not change the fit


def _weight(row: Row) -> float:
    return ICO_WEIGHT if row[0] == "ico" else 1.0


def fit_rank(rows: list[Row]) -> list[float]:
    """A weight per feature such that a row's right candidates score above its wrong ones: a logistic
    regression (no intercept) on the differences of every (right, wrong) pair of a row, each row
    weighing as one pair per right-wrong combination's square root."""
    from sklearn.linear_model import LogisticRegression

    x, y, w = [], [], []
    for row in rows:
        right = [k for k, label in enumerate(row[3]) if label]
        wrong = [k for k, label in enumerate(row[3]) if not label]
        share = _weight(row) / math.sqrt(len(right) * len(wrong)) if right and wrong else 0.0
        for a in right:
            for b in wrong:
                d = [p - q for p, q in zip(row[2][a], row[2][b], strict=True)]
                x += [d, [-v for v in d]]
                y += [1, 0]
                w += [share, share]
    model = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False).fit(x, y, sample_weight=w)
    return [float(v) for v in model.coef_[0]]


def _first(row: Row, rank: list[float]) -> tuple[int, dict[str, float]]:
    """The candidate the ranking puts first, and what the confidence sees of the row."""
    views = [dict(zip(FEATURES, v, strict=True)) for v in row[2]]
    scores = [sum(w * x for w, x in zip(rank, v, strict=True)) for v in row[2]]
    k = max(range(len(scores)), key=lambda i: (scores[i], -i))
    return k, row_view(views, scores, row[4], k)


def _folds(rows: list[Row], folds: int = 5) -> list[int]:
    return [zlib.crc32(r[1].encode()) % folds for r in rows]


def held_out_firsts(rows: list[Row], folds: int = 5) -> list[tuple[list[float], int]]:
    """Each row's confidence features and its first candidate's label, by a ranking fitted on the
    other folds."""
    fold = _folds(rows, folds)
    out: list[tuple[list[float], int] | None] = [None] * len(rows)
    for f in range(folds):
        rank = fit_rank([r for r, g in zip(rows, fold, strict=True) if g != f])
        for i, row in enumerate(rows):
            if fold[i] == f:
                k, view = _first(row, rank)
                out[i] = ([view[n] for n in ROW_FEATURES], row[3][k])
    return out  # type: ignore[return-value]


def fit_confidence(firsts: list[tuple[list[float], int]], weights: list[float]) -> object:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=CONFIDENCE_C, max_iter=5000).fit([x for x, _ in firsts], [y for _, y in firsts],
                                                        sample_weight=weights)


def held_out_probabilities(rows: list[Row], firsts: list[tuple[list[float], int]], folds: int = 5) -> list[float]:
    """Each row's probability by a confidence fitted on the other folds' held-out firsts."""
    fold = _folds(rows, folds)
    out = [0.0] * len(rows)
    for f in range(folds):
        train = [i for i in range(len(rows)) if fold[i] != f]
        model = fit_confidence([firsts[i] for i in train], [_weight(rows[i]) for i in train])
        held = [i for i in range(len(rows)) if fold[i] == f]
        for i, p in zip(held, model.predict_proba([firsts[i][0] for i in held])[:, 1], strict=True):
            out[i] = float(p)
    return out


def threshold(outcomes: list[tuple[float, int]], weights: list[float]) -> tuple[float, float]:
    """The probability from which a row is filled that maximises right - WRONG_COST * wrong (each row
    counting its weight), averaged over the thresholds within SMOOTHING of it (the gain is flat near
    its top, and a lone best point there moves with every refit)."""
    grid = [t / 100 for t in range(5, 96)]
    gain = {t: sum(w * (label - WRONG_COST * (1 - label)) for (p, label), w in zip(outcomes, weights, strict=True)
                   if p >= t) for t in grid}
    smooth = {t: sum(g for u, g in gain.items() if abs(u - t) <= SMOOTHING + 1e-9) /
              sum(1 for u in gain if abs(u - t) <= SMOOTHING + 1e-9) for t in grid}
    best = max(grid, key=lambda t: (smooth[t], -t))
    return best, round(smooth[best], 1)


def tally(rows: list[Row], outcomes: list[tuple[float, int]], cut: float) -> dict[str, dict[str, int]]:
    """Per set: its rows with a candidate, and those filled right and wrong at ``cut`` (held out)."""
    out: dict[str, dict[str, int]] = {}
    for row, (p, label) in zip(rows, outcomes, strict=True):
        counts = out.setdefault(row[0], {"rows": 0, "right": 0, "wrong": 0})
        counts["rows"] += 1
        if p >= cut:
            counts["right" if label else "wrong"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = collect(args.bench, args.workers)
    firsts = held_out_firsts(rows)
    probability = held_out_probabilities(rows, firsts)
    outcomes = [(p, label) for p, (_, label) in zip(probability, firsts, strict=True)]
    weights = [_weight(r) for r in rows]
    cut, gain = threshold(outcomes, weights)
    rank = fit_rank(rows)
    confidence = fit_confidence(firsts, weights)
    data = {
        "about": "the choice between candidate results for a sheet row, fitted by scripts/train_choice.py: "
                 "candidates are ranked by sum(rank[f] * feature f); the first is taken when the confidence, "
                 "1 / (1 + exp(-(intercept + sum(weight * row feature)))), reaches the threshold",
        "rank": dict(zip(FEATURES, (round(w, 6) for w in rank), strict=True)),
        "confidence": {"weights": dict(zip(ROW_FEATURES, (round(float(w), 6) for w in confidence.coef_[0]),
                                           strict=True)),
                       "intercept": round(float(confidence.intercept_[0]), 6)},
        "threshold": cut,
        "threshold_reason": f"maximises right rows - {WRONG_COST:g} x wrong rows over the ICO sheet (each row "
                            f"{ICO_WEIGHT:g} times) and the EI train split, every row's probability held out (5 "
                            f"folds), averaged within {SMOOTHING:g} of it ({gain:g}); on the ICO sheet alone it "
                            "moved with every refit",
        "held_out": tally(rows, outcomes, cut),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(data["held_out"]), f"threshold {cut}", f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
