# Reference values for tests/test_recidivism_rossi.py, from R's survival package.
# Data: Rossi, P. H., Berk, R. A., & Lenihan, K. J. (1980). Money, Work, and Crime:
# Experimental Evidence. Academic Press. The 0/1-coded copy in rossi.csv is the one shipped
# by lifelines (lifelines.datasets.load_rossi) and equals carData::Rossi.
# Run from this directory:  Rscript rossi_reference.R > rossi_reference.txt
# It also writes rossi_km_<conf.type>.csv and rossi_km_times_<conf.type>.csv.
library(survival)
options(digits = 12, width = 200)
cat("R:", R.version.string, " survival:", as.character(packageVersion("survival")), "\n")
rossi <- read.csv("rossi.csv")

cat("\n## coxph efron\n")
fit <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi)
print(cbind(coef = coef(fit), se = sqrt(diag(vcov(fit)))))
cat("loglik", fit$loglik, "\n")
cat("lr", 2 * diff(fit$loglik), "wald", fit$wald.test, "score", fit$score, "\n")
cat("concordance", fit$concordance, "\n")
print(cox.zph(fit)$table)
for (tr in c("rank", "identity", "log")) {
  cat("cox.zph transform", tr, "\n")
  print(cox.zph(fit, transform = tr)$table)
}

cat("\n## coxph breslow\n")
fitb <- coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi,
              ties = "breslow")
print(cbind(coef = coef(fitb), se = sqrt(diag(vcov(fitb)))))
cat("loglik", fitb$loglik, "score", fitb$score, "\n")

cat("\n## coxph strata(wexp), factor prio group\n")
rossi$priog <- cut(rossi$prio, c(-1, 0, 2, 100), labels = c("none", "low", "high"))
fits <- coxph(Surv(week, arrest) ~ fin + age + priog + strata(wexp), data = rossi)
print(cbind(coef = coef(fits), se = sqrt(diag(vcov(fits)))))
cat("loglik", fits$loglik, "score", fits$score, "concordance", fits$concordance, "\n")
print(cox.zph(fits)$table)

for (ct in c("log", "log-log", "plain")) {
  cat("\n## survfit fin conf.type", ct, "\n")
  km <- survfit(Surv(week, arrest) ~ fin, data = rossi, conf.type = ct)
  s <- summary(km)
  tab <- data.frame(strata = s$strata, time = s$time, n.risk = s$n.risk, n.event = s$n.event,
                   n.censor = s$n.censor, surv = s$surv, std.err = s$std.err,
                   lower = s$lower, upper = s$upper)
  write.csv(tab, sprintf("rossi_km_%s.csv", ct), row.names = FALSE)
  print(head(tab), digits = 12)
  s <- summary(km, times = c(0.5, 10, 26, 52, 60))
  tab <- data.frame(strata = s$strata, time = s$time, n.risk = s$n.risk, n.event = s$n.event,
                   n.censor = s$n.censor, surv = s$surv, std.err = s$std.err,
                   lower = s$lower, upper = s$upper)
  write.csv(tab, sprintf("rossi_km_times_%s.csv", ct), row.names = FALSE)
  print(tab, digits = 12)
}

cat("\n## survdiff fin\n")
sd <- survdiff(Surv(week, arrest) ~ fin, data = rossi)
cat("chisq", sd$chisq, "obs", sd$obs, "exp", sd$exp, "\n")
sd3 <- survdiff(Surv(week, arrest) ~ priog, data = rossi)
cat("chisq3", sd3$chisq, "obs", sd3$obs, "exp", sd3$exp, "\n")

cat("\n## median and rmean, prio group (log-log and log)\n")
for (ct in c("log-log", "log")) {
  km <- survfit(Surv(week, arrest) ~ priog, data = rossi, conf.type = ct)
  print(summary(km, rmean = 40)$table, digits = 12)
}

cat("\n## aml (survival package data): median with limits, conf.type log-log and log\n")
write.csv(aml, "aml.csv", row.names = FALSE)
for (ct in c("log-log", "log", "plain")) {
  print(summary(survfit(Surv(time, status) ~ x, data = aml, conf.type = ct))$table, digits = 12)
}

cat("\n## competing risks: competing.csv (seeded synthetic: status 1 rearrest, 2 death)\n")
cr <- read.csv("competing.csv")
aj <- survfit(Surv(time, factor(status)) ~ 1, data = cr)
write.csv(data.frame(time = aj$time, n.risk = aj$n.risk[, 1], cif1 = aj$pstate[, 2],
                     cif2 = aj$pstate[, 3]), "competing_aj.csv", row.names = FALSE)
print(summary(aj, times = c(5, 10, 20, 30)), digits = 12)

cat("\n## Wilson and exact Poisson intervals\n")
print(prop.test(17, 60, correct = FALSE)$conf.int, digits = 12)
print(poisson.test(17, 23.5)$conf.int, digits = 12)
print(poisson.test(0, 23.5)$conf.int, digits = 12)

cat("\n## median exactly at 0.5 (midpoint rule), conf.type log\n")
print(summary(survfit(Surv(c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 1, 0, 1)) ~ 1))$table)
print(quantile(survfit(Surv(c(1, 2, 3, 4), rep(1, 4)) ~ 1), 0.5))
