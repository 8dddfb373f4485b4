# Reference values for tests/test_meta_effects.py, tests/test_meta_pool.py and tests/test_meta_methods.py.
# Run: Rscript tests/metafor_reference.R   (Debian: apt-get install r-base-core r-cran-metafor)
# The tests do not need R; this script is how their numbers were obtained.
suppressMessages(library(metafor))
cat("# metafor", as.character(packageVersion("metafor")),
    "metadat", as.character(packageVersion("metadat")), R.version.string, "\n")
num <- function(x) paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]")
show_escalc <- function(name, e) {
  s <- summary(e)
  cat(name, "\n  yi =", num(e$yi), "\n  vi =", num(e$vi),
      "\n  ci_lb =", num(s$ci.lb), "\n  ci_ub =", num(s$ci.ub), "\n")
}
show_rma <- function(name, r, ratio = FALSE) {
  cat(name, "\n  estimate =", num(r$b[1]), " se =", num(r$se), " ci =", num(c(r$ci.lb, r$ci.ub)),
      " zval =", num(r$zval), " pval =", num(r$pval), "\n  tau2 =", num(r$tau2),
      " I2 =", num(r$I2), " QE =", num(r$QE), " QEp =", num(r$QEp), " k =", r$k,
      "\n  weights =", num(weights(r)), "\n")
  if (ratio) { p <- predict(r, transf = exp); cat("  exp:", num(c(p$pred, p$ci.lb, p$ci.ub)), "\n") }
}

# 1. dat.bcg (Colditz et al. 1994, JAMA 271(9):698-702)
for (m in c("RR", "OR", "RD")) {
  e <- escalc(measure = m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
  show_escalc(paste("bcg", m), e)
  show_rma(paste("bcg", m, "FE"), rma(yi, vi, data = e, method = "FE"), m != "RD")
  show_rma(paste("bcg", m, "DL"), rma(yi, vi, data = e, method = "DL"), m != "RD")
}
# 2. dat.normand1999 (Normand 1999, Stat Med 18(3):321-359)
for (m in c("MD", "SMD")) {
  e <- escalc(measure = m, m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
              data = dat.normand1999)
  show_escalc(paste("normand", m), e)
  show_rma(paste("normand", m, "FE"), rma(yi, vi, data = e, method = "FE"))
  show_rma(paste("normand", m, "DL"), rma(yi, vi, data = e, method = "DL"))
}
# 3. dat.nielweise2007 (Niel-Weise et al. 2007, Intensive Care Med 33(12):2058-2068):
#    zero cells in 6 trials, both arms zero in trial 15 (Yucel 2004)
for (m in c("RR", "OR", "RD")) {
  e <- escalc(measure = m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.nielweise2007)
  show_escalc(paste("nielweise", m), e)
  show_rma(paste("nielweise", m, "DL"), rma(yi, vi, data = e, method = "DL"), m != "RD")
  e0 <- escalc(measure = m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.nielweise2007,
               drop00 = TRUE)
  show_rma(paste("nielweise", m, "DL drop00"), rma(yi, vi, data = e0, method = "DL"), m != "RD")
}
# 4. dat.cannon2006 (Cannon et al. 2006, JACC 48(3):438-445), end point 1
#    (coronary death or non-fatal MI): 4 trials with Q < k - 1
e <- escalc(measure = "RR", ai = ep1t, n1i = nt, ci = ep1c, n2i = nc, data = dat.cannon2006)
show_escalc("cannon RR", e)
show_rma("cannon RR FE", rma(yi, vi, data = e, method = "FE"), TRUE)
show_rma("cannon RR DL", rma(yi, vi, data = e, method = "DL"), TRUE)

# 5. Methods (tests/test_meta_methods.py): FE, MH, REML, DL, PM, each with and without
#    Hartung-Knapp (test = "knha"), the Q-profile interval of tau^2 (confint) and the prediction
#    interval (predict). Convergence is tightened so the values are exact to far below 1e-6:
#    REML's Fisher scoring stops at a change of 1e-5 by default (here 1e-10 times tau^2's scale), uniroot (PM, confint) at
#    .Machine$double.eps^0.25; tau2.max is raised for dat.normand1999 MD (tau^2 near 200 > 100).
ctl <- list(maxiter = 10000, tol = 1e-13, tau2.max = 1e6)
show_method <- function(name, r) {
  p <- predict(r)
  cat(name, "\n  estimate =", num(r$b[1]), " se =", num(r$se), " ci =", num(c(r$ci.lb, r$ci.ub)),
      " zval =", num(r$zval), " pval =", num(r$pval), "\n  tau2 =", num(r$tau2),
      " I2 =", num(r$I2), " QE =", num(r$QE), " QEp =", num(r$QEp), " k =", r$k,
      "\n  pi =", num(c(p$pi.lb, p$pi.ub)), "\n  weights =", num(weights(r)), "\n")
  if (r$method %in% c("REML", "DL", "PM")) {
    ci <- confint(r, control = list(tol = 1e-13, maxiter = 10000, tau2.max = 1e6))
    cat("  tau2_ci =", num(ci$random["tau^2", c("ci.lb", "ci.ub")]), "\n")
  }
}
method_sets <- list(
  list("bcg", "RR", escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg),
       1e-10),
  list("normand", "MD", escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i,
                               sd2i = sd2i, n2i = n2i, data = dat.normand1999), 1e-8),
  list("nielweise", "RD", escalc(measure = "RD", ai = ai, n1i = n1i, ci = ci, n2i = n2i,
                                 data = dat.nielweise2007), 1e-14)
)
for (s in method_sets) for (m in c("FE", "REML", "DL", "PM")) for (test in c("z", "knha")) {
  if (m == "FE" && test == "knha") next  # Hartung-Knapp is for random-effects models
  r <- rma(yi, vi, data = s[[3]], method = m, test = test, control = c(ctl, threshold = s[[4]]))
  show_method(paste(s[[1]], s[[2]], m, test), r)
}
# Mantel-Haenszel: rma.mh with its defaults (add = 1/2, to = "only0", drop00 = TRUE for Q)
for (m in c("OR", "RR", "RD")) {
  show_method(paste("bcg", m, "MH z"),
              rma.mh(measure = m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg))
  show_method(paste("nielweise", m, "MH z"),
              rma.mh(measure = m, ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.nielweise2007))
  show_method(paste("cannon", m, "MH z"),
              rma.mh(measure = m, ai = ep1t, n1i = nt, ci = ep1c, n2i = nc, data = dat.cannon2006))
}
