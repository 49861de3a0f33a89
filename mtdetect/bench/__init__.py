"""The benchmark: accuracy on data the scored model never trained on, against baselines, and speed.

    mtdetect bench [--quick] [--pairs FILE] [--data DIR] [--out DIR | --update-record]

The headline is the leave-one-source-out matrix (mtdetect/protocol.py): for every (MT source,
human source) pair, a model trained on every other source scores both; ROC-AUC, recall and
false-positive rate at the shipped threshold, article accuracy.

* the shipped model's card: its matrix, checked against the acceptance targets (FPR <= 10% per
  human source, recall >= 85% on the neural round trips, min AUC >= 0.85, article accuracy >= 0.95);
* the same matrix recomputed on the bench's sample of every source (sources.load_sources, whole
  documents), with the baselines on every cell -- 1 - chrF, the embedding cosine (training-free)
  and a candidate-only n-gram classifier fitted on the cell's training sources -- and the
  feature-group ablation (uncalibrated fits, AUC only);
* seeds: the shipped model on seeds/001..004 against 000 (verdicts from seeds/LABELS.md), and
  without the original (reference-free, archive index, pivot);
* `--pairs` files, scored by the shipped model with the baselines beside it.

Speed is measured per pipeline stage, as a ratio to the embedding forward pass.

Outputs (written atomically) in --out (default ./mtdetect-bench; benchmarks/results/, the committed
record, only with --update-record): report.md, results.json, matrix.png, speed.png, ablation.png
(the plots need matplotlib, the `bench` extra; without it they are skipped and the report says so).

One module per concern: config (sizes, paths, the run's settings), data (the samples), evaluation
(a row of every method's metrics), baselines, seeds, heldout (the --pairs rows), transfer (the
matrix), without_reference, speed, plots, tables and report (the Markdown writer), run (run_bench,
which calls them in order).
"""

from mtdetect.bench.baselines import baseline_matrix, chrf_scores, fit_ngram, make_ngram_classifier
from mtdetect.bench.config import DEFAULT_OUT, FULL, GROUPS, METHODS, QUICK, RECORD_DIR, BenchConfig, Sizes
from mtdetect.bench.evaluation import evaluate, row_metrics
from mtdetect.bench.plots import plots_unavailable
from mtdetect.bench.report import render_report
from mtdetect.bench.run import BenchReport, run_bench
from mtdetect.bench.transfer import acceptance, render_transfer

__all__ = [
    "BenchConfig", "BenchReport", "DEFAULT_OUT", "FULL", "GROUPS", "METHODS", "QUICK", "RECORD_DIR", "Sizes",
    "acceptance", "baseline_matrix", "chrf_scores", "evaluate", "fit_ngram", "make_ngram_classifier",
    "plots_unavailable", "render_report", "render_transfer", "row_metrics", "run_bench",
]  # fmt: skip
