-- The benchmark queries, identical text for every SQL peer (sqlite.sh, postgres.sh,
-- duckdb.mjs). Each section starts with "-- name: X"; {{key}} is replaced from the
-- EXPORT dir's params.json (lists become quoted SQL literal lists, top_k an integer).
--
-- Schema every peer builds at load time (not timed):
--   accounts(domain PK, name, industry, employee_band, revenue_band, hq_country, technologies)
--   account_tech(domain, tech)            -- accounts.technologies exploded on ';'
--   people(<the 18 people.csv columns>, eligible)  -- eligible from eligibility.csv
--     Only the people listed in eligibility.csv are loaded: the others were suppressed,
--     and fairlead never stores them, so they are in no answer (this matters for Q3,
--     which has no eligibility term; Q1, Q2, Q4 and Q5 need eligible = 1 anyway).
--   account_intent(domain PK, score double, gauge int)  -- topic "security"
--   static_list(person_ref PK), withdrawals(person_ref PK)
-- A person's score is account_intent.score of their account, 0 when absent; ties by
-- person_ref in byte order (SQLite BINARY, PostgreSQL cluster initialised with locale C,
-- DuckDB's default binary collation).

-- name: Q1
SELECT count(*)
FROM people p
JOIN accounts a ON a.domain = p.account_domain
WHERE p.country IN ({{q1_countries}})
  AND p.seniority IN ({{q1_seniorities}})
  AND a.industry = {{q1_industry}}
  AND p.eligible = 1;

-- name: Q2
SELECT p.person_ref
FROM people p
JOIN accounts a ON a.domain = p.account_domain
LEFT JOIN account_intent ai ON ai.domain = p.account_domain
WHERE p.country IN ({{q1_countries}})
  AND p.seniority IN ({{q1_seniorities}})
  AND a.industry = {{q1_industry}}
  AND p.eligible = 1
ORDER BY COALESCE(ai.score, 0.0) DESC, p.person_ref ASC
LIMIT {{top_k}};

-- Q3 is timed as two queries, each timed on its own; the reported Q3 run time is
-- Q3_ids + Q3_count of the same run (the parts are in the output too).
-- name: Q3_ids
SELECT p.person_ref
FROM people p
JOIN accounts a ON a.domain = p.account_domain
LEFT JOIN account_intent ai ON ai.domain = p.account_domain
WHERE p.function IN ({{q3_functions}})
  AND a.employee_band IN ({{q3_bands}})
  AND p.account_domain IN (SELECT t.domain FROM account_tech t WHERE t.tech IN ({{q3_techs}}))
  AND NOT EXISTS (SELECT 1 FROM static_list s WHERE s.person_ref = p.person_ref)
ORDER BY COALESCE(ai.score, 0.0) DESC, p.person_ref ASC
LIMIT {{top_k}};

-- name: Q3_count
SELECT count(*)
FROM people p
JOIN accounts a ON a.domain = p.account_domain
WHERE p.function IN ({{q3_functions}})
  AND a.employee_band IN ({{q3_bands}})
  AND p.account_domain IN (SELECT t.domain FROM account_tech t WHERE t.tech IN ({{q3_techs}}))
  AND NOT EXISTS (SELECT 1 FROM static_list s WHERE s.person_ref = p.person_ref);

-- Distinct accounts of Q1's people whose gauge is >= 1 (ramping_up): counted per account
-- (domain is unique in accounts and in account_intent), so no DISTINCT is needed.
-- name: Q4
SELECT count(*)
FROM accounts a
JOIN account_intent ai ON ai.domain = a.domain
WHERE ai.gauge >= 1
  AND a.industry = {{q1_industry}}
  AND EXISTS (SELECT 1 FROM people p
              WHERE p.account_domain = a.domain
                AND p.country IN ({{q1_countries}})
                AND p.seniority IN ({{q1_seniorities}})
                AND p.eligible = 1);

-- One statement, so one transaction (autocommit); then Q2 is run again.
-- name: Q5_write
UPDATE people SET eligible = 0
WHERE person_ref IN (SELECT w.person_ref FROM withdrawals w);
