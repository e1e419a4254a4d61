# Reference values for rehab_eval.cohort.wilson_interval (tests/test_cohort.py).
# Wilson score interval = prop.test without continuity correction.
# Run: Rscript tests/reference/wilson_prop_test.R > tests/reference/wilson_prop_test.out
cases <- list(c(0, 7), c(1, 10), c(3, 10), c(7, 7), c(12, 35), c(104, 870))
for (cs in cases) {
  ci <- suppressWarnings(prop.test(cs[1], cs[2], correct = FALSE)$conf.int)
  cat(sprintf("%d %d %.10f %.10f\n", cs[1], cs[2], ci[1], ci[2]))
}
