# Reference values for tests/test_change_fixes.py (R 4.2.2, lme4 1.1.31, nlme 3.1).
# Run from this folder: Rscript fixes_reference.R > fixes_reference.txt
library(lme4)
library(nlme)
options(digits = 15)
data(Orthodont, package = "nlme")
o <- as.data.frame(Orthodont)
o$Subject <- as.character(o$Subject); o$Sex <- as.character(o$Sex)
write.csv(o, "orthodont.csv", row.names = FALSE)
o$age8 <- o$age - 8
m1 <- lmer(distance ~ age8 + Sex + (age8 | Subject), data = o, REML = TRUE)
print(summary(m1)$coefficients)
m2 <- lme(distance ~ age8 + Sex, random = ~ age8 | Subject, data = o, method = "REML")
print(summary(m2)$tTable)
m3 <- lmer(distance ~ age8 * Sex + (age8 | Subject), data = o, REML = TRUE)
print(summary(m3)$coefficients)
cf <- rbind(
  data.frame(model = "age_sex", term = rownames(summary(m1)$coefficients),
             estimate = summary(m1)$coefficients[, 1], se = summary(m1)$coefficients[, 2]),
  data.frame(model = "age_x_sex", term = rownames(summary(m3)$coefficients),
             estimate = summary(m3)$coefficients[, 1], se = summary(m3)$coefficients[, 2]))
write.csv(cf, "orthodont_lme4.csv", row.names = FALSE)

# Wilcoxon signed-rank with the Hodges-Lehmann estimate and interval, R's defaults
w <- read.csv("wilcoxon_hl.csv")
res <- NULL
for (case in unique(w$case)) {
  d <- w$d[w$case == case]
  for (correct in c(TRUE, FALSE)) {
    t <- suppressWarnings(wilcox.test(d, conf.int = TRUE, correct = correct))
    print(case); print(t)
    res <- rbind(res, data.frame(case = case, correct = correct, V = unname(t$statistic),
                                 p = t$p.value, estimate = unname(t$estimate),
                                 ci_low = t$conf.int[1], ci_high = t$conf.int[2]))
  }
}
write.csv(res, "wilcoxon_hl_r.csv", row.names = FALSE)
