-- Views over a memsim results database: what `memsim report` prints and
-- plots, readable with any SQLite client.  memsim compiles this file in
-- and store_open() re-creates the views whenever the text changes (its
-- sha256 is kept in meta.views_sha256), so edit the views here and only
-- here.  SQLite 3.40 has no median(): medians come from ROW_NUMBER().

DROP VIEW IF EXISTS deadlock_rate;
DROP VIEW IF EXISTS signatures;

-- One row per (scenario version, allocator, reserve_n): how often a
-- seeded run deadlocked (runs whose choices a hunt overrode are no random
-- sample and are left out), with the 95% Wilson score interval of that
-- rate, rounded to 4 places.  A scenario version is its file's sha256:
-- runs of an edited scenario are counted apart from the old one's, and
-- `version` labels them (name, short hash, date of the first run);
-- `versions` says how many the name has.  Runs that ended in `error` (a
-- crash, an overrun, a scenario error) measured nothing: they are
-- counted in `errors`, not in `runs`.  A `panic` (the kernel would have
-- panicked) is a run that did not deadlock but did not survive either:
-- counted in `runs` and in `panics`.  A (scenario, params, seed) run
-- again with --force keeps its first row; only its latest row (highest
-- rerun) is counted, so a seed counts once.
CREATE VIEW deadlock_rate AS
WITH cur AS (
  SELECT * FROM runs r WHERE choices = ''
  AND NOT EXISTS (SELECT 1 FROM runs n
                  WHERE n.scenario_sha256 = r.scenario_sha256
                  AND n.params = r.params AND n.seed = r.seed
                  AND n.choices = '' AND n.rerun > r.rerun)
),
grp AS (
  SELECT scenario, scenario_sha256, allocator, reserve_n,
         SUM(outcome <> 'error') AS runs,
         SUM(outcome = 'deadlock') AS deadlocks,
         SUM(outcome = 'error') AS errors,
         SUM(outcome = 'panic') AS panics,
         MAX(swapmeta_pages_peak) AS peak_swapmeta_pages,
         MIN(reserve_min_level) AS lowest_reserve_level
  FROM cur
  GROUP BY scenario, scenario_sha256, allocator, reserve_n
),
ver AS (
  SELECT scenario, scenario_sha256,
         scenario || ' ' || substr(scenario_sha256, 1, 8) || ' ' ||
           substr(MIN(created_at), 1, 10) AS version,
         MIN(created_at) AS first_run
  FROM runs GROUP BY scenario, scenario_sha256
),
nver AS (
  SELECT scenario, COUNT(*) AS versions FROM ver GROUP BY scenario
),
ttd AS (
  SELECT scenario, scenario_sha256, allocator, reserve_n,
         deadlock_time AS v,
         ROW_NUMBER() OVER (PARTITION BY scenario, scenario_sha256,
                            allocator, reserve_n ORDER BY deadlock_time)
           AS i,
         COUNT(*) OVER (PARTITION BY scenario, scenario_sha256,
                        allocator, reserve_n) AS c
  FROM cur
  WHERE outcome = 'deadlock' AND deadlock_time IS NOT NULL
),
pdb AS (
  SELECT scenario, scenario_sha256, allocator, reserve_n,
         pagedaemon_blocked_seconds AS v,
         ROW_NUMBER() OVER (PARTITION BY scenario, scenario_sha256,
                            allocator, reserve_n
                            ORDER BY pagedaemon_blocked_seconds) AS i,
         COUNT(*) OVER (PARTITION BY scenario, scenario_sha256,
                        allocator, reserve_n) AS c
  FROM cur
  WHERE outcome <> 'error' AND pagedaemon_blocked_seconds IS NOT NULL
),
-- The middle row, or the mean of the two middle rows.
med_ttd AS (
  SELECT scenario, scenario_sha256, allocator, reserve_n, AVG(v) AS m
  FROM ttd WHERE i IN ((c + 1) / 2, (c + 2) / 2)
  GROUP BY scenario, scenario_sha256, allocator, reserve_n
),
med_pdb AS (
  SELECT scenario, scenario_sha256, allocator, reserve_n, AVG(v) AS m
  FROM pdb WHERE i IN ((c + 1) / 2, (c + 2) / 2)
  GROUP BY scenario, scenario_sha256, allocator, reserve_n
),
-- p: the observed rate; zn: z^2/n with z = 1.96 (95%).
est AS (
  SELECT grp.*,
         CASE WHEN runs > 0 THEN CAST(deadlocks AS REAL) / runs END AS p,
         CASE WHEN runs > 0 THEN 1.96 * 1.96 / runs END AS zn
  FROM grp
)
SELECT est.scenario, est.allocator, est.reserve_n, runs, deadlocks,
       p AS rate,
       ROUND(MAX(0.0, (p + zn / 2 - 1.96 * SQRT(p * (1 - p) / runs
                                             + zn / (4 * runs)))
                      / (1 + zn)), 4) AS wilson_low,
       ROUND(MIN(1.0, (p + zn / 2 + 1.96 * SQRT(p * (1 - p) / runs
                                             + zn / (4 * runs)))
                      / (1 + zn)), 4) AS wilson_high,
       med_ttd.m AS median_time_to_deadlock,
       med_pdb.m AS median_pagedaemon_blocked_seconds,
       peak_swapmeta_pages, lowest_reserve_level, errors, panics,
       est.scenario_sha256, ver.version, nver.versions, ver.first_run
FROM est
JOIN ver ON ver.scenario = est.scenario
  AND ver.scenario_sha256 = est.scenario_sha256
JOIN nver ON nver.scenario = est.scenario
LEFT JOIN med_ttd ON med_ttd.scenario = est.scenario
  AND med_ttd.scenario_sha256 = est.scenario_sha256
  AND med_ttd.allocator = est.allocator
  AND med_ttd.reserve_n IS est.reserve_n
LEFT JOIN med_pdb ON med_pdb.scenario = est.scenario
  AND med_pdb.scenario_sha256 = est.scenario_sha256
  AND med_pdb.allocator = est.allocator
  AND med_pdb.reserve_n IS est.reserve_n;

-- One row per deadlock or panic signature (sim/signature.h): its hash,
-- its text, the first run that showed it and how many runs did.
CREATE VIEW signatures AS
SELECT signature_hash AS hash, MIN(signature) AS text, MIN(id) AS first_run,
       COUNT(*) AS runs, GROUP_CONCAT(DISTINCT scenario) AS scenarios
FROM runs WHERE signature_hash <> ''
GROUP BY signature_hash;
