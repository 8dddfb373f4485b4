# Pool a table written by `extractor export TABLE --format metafor -o trials.csv` with metafor.
#
#   Rscript examples/metafor_export.R trials.csv [MEASURE] [METHOD]
#
# MEASURE: RR, OR or RD for binary tables (ai, bi, ci, di), MD or SMD for continuous ones
# (m1i, sd1i, n1i, m2i, sd2i, n2i); default RR or MD. METHOD: any rma method, default REML.
# Rows sharing a study label are one trial: export one row per trial (`export --timepoint last`,
# `--where COLUMN=TEXT`), as `extractor pool` pools. Needs R and metafor (Debian: r-cran-metafor).
suppressMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript metafor_export.R trials.csv [MEASURE] [METHOD]")
d <- read.csv(args[1], stringsAsFactors = FALSE)
binary <- "ai" %in% names(d)
measure <- if (length(args) >= 2) args[2] else if (binary) "RR" else "MD"
method <- if (length(args) >= 3) args[3] else "REML"
es <- if (binary) {
  escalc(measure = measure, ai = ai, bi = bi, ci = ci, di = di, data = d, slab = study)
} else {
  escalc(measure = measure, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i,
         n2i = n2i, data = d, slab = study)
}
res <- rma(yi, vi, data = es, method = method)
print(res)
# One line for scripts (and tests/test_examples.py) to read, on the yi scale.
cat(sprintf("estimate=%.15g se=%.15g tau2=%.15g k=%d\n", res$b[1], res$se, res$tau2, res$k))
