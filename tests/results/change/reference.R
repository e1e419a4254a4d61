# Reference values for tests/test_change*.py, computed in base R 4.2 + nlme (REML).
# Run from the repository root:
#   Rscript tests/results/change/reference.R > tests/results/change/reference_output.txt
# Writes tests/results/change/reference_values.csv (name, value) and hlm_slopes.csv.
suppressPackageStartupMessages(library(nlme))
dir <- "tests/results/change"
out <- list()
put <- function(name, value) { out[[name]] <<- value; cat(sprintf("%-40s %.15g\n", name, value)) }

# --- Jacobson & Truax RCI, test vector R1 (clinicalsignificance test-calc_rci.R) -------------
sdiff <- 5 * sqrt(2) * sqrt(1 - 0.8)
for (ch in c(-8, -4, 0, 4, 8)) put(sprintf("r1_rci_%+d", ch), ch / sdiff)

# --- cut-offs, test vector R2 and the unequal-SD b example --------------------------------
cut <- function(type, m0, s0, m1, s1, dir) {
  switch(type, a = m0 + dir * 2 * s0, b = m1 - dir * 2 * s1, c = (s0 * m1 + s1 * m0) / (s0 + s1))
}
for (ty in c("a", "b", "c")) for (d in c(1, -1))
  put(sprintf("r2_cut_%s_%s", ty, ifelse(d == 1, "higher", "lower")), cut(ty, 40, 7.5, 60, 7.5, d))
put("b_unequal_sd_higher", cut("b", 40, 10, 60, 5, 1))

# --- claus_2020 HAMD, time 1 -> 4, r = .80, lower is better -------------------------------
cl <- read.csv(file.path(dir, "claus_2020_hamd.csv"))
r <- 0.8; dir_ <- -1
m_pre <- mean(cl$pre); sd_pre <- sd(cl$pre); se <- sd_pre * sqrt(1 - r); s_diff <- sqrt(2 * se^2)
put("claus_m_pre", m_pre); put("claus_sd_pre", sd_pre); put("claus_se", se); put("claus_s_diff", s_diff)
classify <- function(rci, crit) {
  ifelse(dir_ * rci > crit, "improved", ifelse(dir_ * rci < -crit, "deteriorated", "unchanged"))
}
rci_jt <- (cl$post - cl$pre) / s_diff
for (id in c(1, 2, 5, 13, 24, 43)) put(sprintf("claus_jt_rci_id%d", id), rci_jt[cl$id == id])
cat_jt <- classify(rci_jt, 1.96)
for (k in c("improved", "unchanged", "deteriorated")) put(paste0("claus_jt_", k), sum(cat_jt == k))
c_cut <- cut("c", m_pre, sd_pre, 8, 8, dir_)
put("claus_cutoff_c", c_cut)
clin_pre <- dir_ * cl$pre < dir_ * c_cut
func_post <- dir_ * cl$post > dir_ * c_cut
comb <- ifelse(clin_pre & func_post & cat_jt == "improved", "recovered",
        ifelse(!clin_pre & !func_post & cat_jt == "deteriorated", "harmed", cat_jt))
for (k in c("recovered", "improved", "unchanged", "deteriorated", "harmed"))
  put(paste0("claus_combined_", k), sum(comb == k))
# Gulliksen-Lord-Novick
rci_gln <- ((cl$post - m_pre) - r * (cl$pre - m_pre)) / (sd_pre * sqrt(1 - r^2))
cat_gln <- classify(rci_gln, 1.96)
for (k in c("improved", "unchanged", "deteriorated")) put(paste0("claus_gln_", k), sum(cat_gln == k))
put("claus_gln_rci_id1", rci_gln[1])
# Hageman-Arrindell
sd_post <- sd(cl$post); m_post <- mean(cl$post); rpp <- cor(cl$pre, cl$post)
rxx1 <- (sd_pre^2 - se^2) / sd_pre^2; rxx2 <- (sd_post^2 - se^2) / sd_post^2
rdd <- (sd_pre^2 * rxx1 + sd_post^2 * rxx2 - 2 * sd_pre * sd_post * rpp) /
       (sd_pre^2 + sd_post^2 - 2 * sd_pre * sd_post * rpp)
rci_ha <- ((cl$post - cl$pre) * rdd + (m_post - m_pre) * (1 - rdd)) / (sqrt(rdd) * sqrt(2 * se^2))
put("claus_ha_r_dd", rdd); put("claus_ha_rci_id1", rci_ha[1])
cat_ha <- classify(rci_ha, 1.65)
for (k in c("improved", "unchanged", "deteriorated")) put(paste0("claus_ha_", k), sum(cat_ha == k))
# Wilson interval of the JT "improved" share (prop.test without continuity correction)
ci <- prop.test(sum(cat_jt == "improved"), nrow(cl), correct = FALSE)$conf.int
put("claus_jt_improved_wilson_low", ci[1]); put("claus_jt_improved_wilson_high", ci[2])

# --- paired t, exact Wilcoxon, d_z interval, Holm / BH -------------------------------------
pc <- read.csv(file.path(dir, "paired_continuous.csv"))
ps <- c()
for (m in c("a", "b")) {
  x <- pc[[paste0(m, "_post")]]; y <- pc[[paste0(m, "_pre")]]; d <- x - y; n <- length(d)
  tt <- t.test(x, y, paired = TRUE)
  put(paste0(m, "_t"), tt$statistic); put(paste0(m, "_p"), tt$p.value)
  put(paste0(m, "_ci_low"), tt$conf.int[1]); put(paste0(m, "_ci_high"), tt$conf.int[2])
  wt <- wilcox.test(x, y, paired = TRUE, exact = TRUE)
  v <- unname(wt$statistic)
  put(paste0(m, "_wilcoxon_w"), min(v, n * (n + 1) / 2 - v)); put(paste0(m, "_wilcoxon_p"), wt$p.value)
  put(paste0(m, "_rank_biserial"), (v - (n * (n + 1) / 2 - v)) / (n * (n + 1) / 2))
  dz <- mean(d) / sd(d); tobs <- dz * sqrt(n)
  lo <- uniroot(function(l) pt(tobs, n - 1, l) - 0.975, c(tobs - 8, tobs + 8), tol = 1e-12)$root
  hi <- uniroot(function(l) pt(tobs, n - 1, l) - 0.025, c(tobs - 8, tobs + 8), tol = 1e-12)$root
  put(paste0(m, "_dz"), dz); put(paste0(m, "_dz_ci_low"), lo / sqrt(n)); put(paste0(m, "_dz_ci_high"), hi / sqrt(n))
  put(paste0(m, "_hedges_gav"), mean(d) / ((sd(x) + sd(y)) / 2) * (1 - 3 / (4 * (n - 1) - 1)))
  ps <- c(ps, tt$p.value)
}
put("holm_a", p.adjust(ps, "holm")[1]); put("holm_b", p.adjust(ps, "holm")[2])
put("bh_a", p.adjust(ps, "BH")[1]); put("bh_b", p.adjust(ps, "BH")[2])

# --- linear mixed models (REML) on simulated data ------------------------------------------
sim <- read.csv(file.path(dir, "sim_long.csv"))
sim$client_id <- factor(sim$client_id)
f1 <- lme(y ~ factor(t), random = ~ 1 | client_id, data = sim, method = "REML")
fe <- fixef(f1); se1 <- sqrt(diag(vcov(f1)))
for (i in seq_along(fe)) { put(sprintf("ri_fixed_%d", i - 1), fe[i]); put(sprintf("ri_se_%d", i - 1), se1[i]) }
put("ri_var_intercept", getVarCov(f1)[1, 1]); put("ri_var_residual", f1$sigma^2)
f2 <- lme(y ~ t, random = ~ t | client_id, data = sim, method = "REML",
          control = lmeControl(opt = "optim", maxIter = 200, msMaxIter = 200))
fe2 <- fixef(f2); se2 <- sqrt(diag(vcov(f2)))
put("rs_fixed_intercept", fe2[1]); put("rs_fixed_slope", fe2[2])
put("rs_se_intercept", se2[1]); put("rs_se_slope", se2[2])
D <- getVarCov(f2); s2 <- f2$sigma^2
put("rs_var_intercept", D[1, 1]); put("rs_var_slope", D[2, 2]); put("rs_cov", D[1, 2]); put("rs_var_residual", s2)
# Empirical-Bayes slope deviations and their conditional SD, Var(b|y) = D - D Z' V^-1 Z D
re <- ranef(f2)
hlm <- do.call(rbind, lapply(levels(sim$client_id), function(g) {
  Z <- cbind(1, sim$t[sim$client_id == g]); V <- Z %*% D %*% t(Z) + s2 * diag(nrow(Z))
  C <- D - D %*% t(Z) %*% solve(V) %*% Z %*% D
  data.frame(client_id = g, eb_slope = re[g, "t"], eb_sd = sqrt(C[2, 2]))
}))
write.csv(hlm, file.path(dir, "hlm_slopes.csv"), row.names = FALSE)
cat(sprintf("hlm rows %d; first: %s %.10g %.10g\n", nrow(hlm), hlm$client_id[1], hlm$eb_slope[1], hlm$eb_sd[1]))

# --- Stuart-Maxwell test of marginal homogeneity (formula) ---------------------------------
tab <- matrix(c(5, 8, 4,
                2, 10, 9,
                1, 2, 12), 3, byrow = TRUE)
k <- nrow(tab); d <- (rowSums(tab) - colSums(tab))[-k]
V <- -(tab + t(tab)); diag(V) <- rowSums(tab) + colSums(tab) - 2 * diag(tab); V <- V[-k, -k]
x2 <- drop(t(d) %*% solve(V) %*% d)
put("sm_statistic", x2); put("sm_df", k - 1); put("sm_p", pchisq(x2, k - 1, lower.tail = FALSE))
# 2 x 2: McNemar without continuity correction and the exact binomial version
t2 <- matrix(c(6, 9, 2, 7), 2, byrow = TRUE)
put("mcnemar_statistic", unname(mcnemar.test(t2, correct = FALSE)$statistic))
put("mcnemar_exact_p", binom.test(9, 11, 0.5)$p.value)

write.csv(data.frame(name = names(out), value = sprintf("%.17g", unlist(out))),
          file.path(dir, "reference_values.csv"), row.names = FALSE)
