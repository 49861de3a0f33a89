"""The benchmark: accuracy on data the scored model never trained on, against baselines, and speed.

    mtdetect bench [--quick] [--pairs FILE] [--data DIR] [--out DIR | --update-record]

Accuracy rows (all held out):

* seeds: the shipped model on seeds/001..004 against 000 (verdicts from seeds/LABELS.md);
* WMT + Apertium pairs, leave-one-dataset-out cross-fitting: for each WMT dataset, mtdetect's
  classifier (make_classifier + sample_weights, as in training) is fitted on the other
  datasets and scores the held-out one; rows per dataset, per MT system, per Apertium pivot,
  plus leave-one-pivot-out and leave-one-system-family-out (Online-* vs the rest);
* tweets (true neural round trips, never trained on) and `--pairs` files.

Baselines on the same rows: 1 - chrF to the reference, embedding cosine, a candidate-only
char/word n-gram classifier fitted on the same training folds, and a TSRT-style round-trip
stability score (Apertium es, on a subsample). The feature groups are ablated on the same
folds. Speed is measured per pipeline stage, as a ratio to the embedding forward pass.

Outputs (written atomically) in --out (default ./mtdetect-bench; benchmarks/results/, the committed
record, only with --update-record): report.md, results.json, roc_heldout.png, speed.png, ablation.png
(the plots need matplotlib, the `bench` extra; without it they are skipped and the report says so).

One module per concern: config (sizes, paths, the run's settings), data (the samples), evaluation
(cross-fitting, thresholds, rows), baselines, seeds, heldout, tweets, transfer, without_reference,
speed, plots, tables and report (the Markdown writer), run (run_bench, which calls them in order).
"""

from .baselines import chrf_scores, fit_mtdetect, fit_ngram, make_ngram_classifier, tsrt_scores
from .config import DEFAULT_OUT, FULL, GROUPS, METHODS, QUICK, RECORD_DIR, BenchConfig, Sizes
from .evaluation import Fold, cross_fit, evaluate, fold_thresholds, row_metrics
from .plots import plots_unavailable
from .report import render_report
from .run import BenchReport, run_bench

__all__ = [
    "BenchConfig", "BenchReport", "DEFAULT_OUT", "FULL", "Fold", "GROUPS", "METHODS", "QUICK", "RECORD_DIR", "Sizes",
    "chrf_scores", "cross_fit", "evaluate", "fit_mtdetect", "fit_ngram", "fold_thresholds", "make_ngram_classifier",
    "plots_unavailable", "render_report", "row_metrics", "run_bench", "tsrt_scores",
]  # fmt: skip
