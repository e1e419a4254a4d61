# Reference values for tests/test_effect_survival.py (R 4.2.2, survival 3.5.3).
# Run from this folder: Rscript effect_reference.R > effect_reference.txt
library(survival)
options(digits = 15)
r <- read.csv("rossi_weighted.csv")
out <- list()
add <- function(case, fit) {
  s <- summary(fit)$coefficients
  rob <- if ("robust se" %in% colnames(s)) s[, "robust se"] else NA
  out[[length(out) + 1]] <<- data.frame(case = case, term = rownames(s), coef = s[, "coef"],
    se_naive = s[, "se(coef)"], se = if (all(is.na(rob))) s[, "se(coef)"] else rob)
  print(case); print(s)
}
add("w_efron", coxph(Surv(week, arrest) ~ fin + age + prio, data = r, weights = w, robust = TRUE))
add("w_breslow", coxph(Surv(week, arrest) ~ fin + age + prio, data = r, weights = w,
                       robust = TRUE, ties = "breslow"))
add("w_cluster", coxph(Surv(week, arrest) ~ fin + age + prio, data = r, weights = w,
                       cluster = cl))
add("cluster", coxph(Surv(week, arrest) ~ fin + age + prio, data = r, cluster = cl))
add("robust", coxph(Surv(week, arrest) ~ fin + age + prio, data = r, robust = TRUE))
add("w_strata_cluster", coxph(Surv(week, arrest) ~ fin + age + prio + strata(wexp), data = r,
                              weights = w, cluster = cl))
write.csv(do.call(rbind, out), "cox_weighted.csv", row.names = FALSE)

# stratified log-rank
sd <- survdiff(Surv(week, arrest) ~ fin + strata(wexp), data = r)
print(sd)
sd2 <- survdiff(Surv(week, arrest) ~ fin + strata(wexp, mar), data = r)
print(sd2)
write.csv(data.frame(case = c("wexp", "wexp_mar"), chisq = c(sd$chisq, sd2$chisq),
                     obs0 = c(rowSums(sd$obs)[1], rowSums(sd2$obs)[1]),
                     exp0 = c(rowSums(sd$exp)[1], rowSums(sd2$exp)[1])),
          "logrank_strata.csv", row.names = FALSE)

# RMST per group (print(survfit, rmean=)), unweighted and weighted
rm <- function(fit, case, tau) {
  t <- summary(fit, rmean = tau)$table
  data.frame(case = case, group = rownames(t), rmst = t[, "rmean"], se = t[, "se(rmean)"])
}
f1 <- survfit(Surv(week, arrest) ~ fin, data = r)
f2 <- survfit(Surv(week, arrest) ~ fin, data = r, weights = w)
rmt <- rbind(rm(f1, "plain", 40), rm(f2, "weighted", 40))
print(rmt)
write.csv(rmt, "rmst.csv", row.names = FALSE)

# weighted Kaplan-Meier at chosen times
s2 <- summary(f2, times = c(10, 20, 30, 40, 52))
km <- data.frame(group = s2$strata, time = s2$time, n_risk = s2$n.risk, surv = s2$surv,
                 std_err = s2$std.err)
print(km)
write.csv(km, "km_weighted.csv", row.names = FALSE)

# Aalen-Johansen cumulative incidence with R's default (log) limits, competing.csv
cr <- read.csv("../recidivism/competing.csv")
aj <- survfit(Surv(time, factor(status)) ~ 1, data = cr)
sa <- summary(aj, times = c(5, 10, 20, 30))
cif <- data.frame(time = sa$time, cif = sa$pstate[, 2], std_err = sa$std.err[, 2],
                  lower = sa$lower[, 2], upper = sa$upper[, 2])
print(cif)
write.csv(cif, "competing_cif_log.csv", row.names = FALSE)

# weighted RMST with the infinitesimal-jackknife SE from survfit's influence matrix
ij <- NULL
for (g in 0:1) {
  d <- r[r$fin == g, ]
  f <- survfit(Surv(week, arrest) ~ 1, data = d, weights = w, influence = TRUE)
  tau <- 40; keep <- f$time <= tau
  lens <- diff(c(f$time[keep], tau))
  area <- f$time[1] + sum(f$surv[keep] * lens)
  infl <- f$influence.surv[, keep, drop = FALSE] %*% lens
  ij <- rbind(ij, data.frame(group = g, rmst = area, se = sqrt(sum(infl^2))))
}
print(ij)
write.csv(ij, "rmst_weighted_ij.csv", row.names = FALSE)

# propensity model: logistic regression of fin on age, prio, wexp, race (glm binomial)
g <- glm(fin ~ age + prio + factor(wexp) + factor(race), family = binomial, data = r)
print(summary(g)$coefficients)
write.csv(data.frame(term = names(coef(g)), coef = unname(coef(g)),
                     se = unname(summary(g)$coefficients[, 2])), "propensity_glm.csv",
          row.names = FALSE)
write.csv(data.frame(ps = unname(fitted(g))), "propensity_fitted.csv", row.names = FALSE)

# Fine-Gray on mgus2 (progression, death competing): finegray() + weighted coxph, robust by id
d <- mgus2
d$etime <- with(d, ifelse(pstat == 0, futime, ptime))
d$event <- with(d, ifelse(pstat == 0, 2 * death, 1))
d$male <- as.integer(d$sex == "M")
d <- d[, c("id", "etime", "event", "male", "age")]
write.csv(d, "mgus2.csv", row.names = FALSE)
fg <- finegray(Surv(etime, factor(event)) ~ ., data = d, etype = "1")
fgo <- NULL
for (ti in c("efron", "breslow")) {
  fit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ male + age, data = fg, weights = fgwt,
               cluster = id, ties = ti)
  s <- summary(fit)$coefficients
  print(ti); print(s)
  fgo <- rbind(fgo, data.frame(ties = ti, term = rownames(s), coef = s[, "coef"],
                               se_naive = s[, "se(coef)"], se = s[, "robust se"]))
}
write.csv(fgo, "finegray_mgus2.csv", row.names = FALSE)

# weighted Aalen-Johansen by group (competing.csv with seeded weights and groups)
cw <- read.csv("competing_weighted.csv")
aw <- survfit(Surv(time, factor(status)) ~ grp, data = cw, weights = w)
sw <- summary(aw, times = c(5, 10, 20, 30))
wcif <- data.frame(group = sw$strata, time = sw$time, cif = sw$pstate[, 2],
                   std_err = sw$std.err[, 2], lower = sw$lower[, 2], upper = sw$upper[, 2])
print(wcif)
write.csv(wcif, "competing_weighted_cif.csv", row.names = FALSE)

# Gray's test (cmprsk 2.2-11 cuminc) on mgus2: by sex; by age group (3); by sex within age strata
library(cmprsk)
d$agegrp <- cut(d$age, c(0, 60, 75, Inf), labels = c("a", "b", "c"))
g1 <- cuminc(d$etime, d$event, d$male)$Tests
g2 <- cuminc(d$etime, d$event, d$agegrp)$Tests
g3 <- cuminc(d$etime, d$event, d$male, strata = d$agegrp)$Tests
print(g1); print(g2); print(g3)
gray <- data.frame(case = rep(c("male", "agegrp", "male_strata_agegrp"), each = 2),
                   cause = rep(1:2, 3), stat = c(g1[, "stat"], g2[, "stat"], g3[, "stat"]),
                   df = c(g1[, "df"], g2[, "df"], g3[, "df"]))
write.csv(gray, "gray_mgus2.csv", row.names = FALSE)
