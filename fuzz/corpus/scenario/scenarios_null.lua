-- null: one process that computes for a millisecond and exits.  What a
-- run of it costs is what every run costs besides simulating: the fork,
-- loading the scenario, booting the model, the pipe back and the SQLite
-- insert (bench/sweep_bench.sh).
scenario { name = "null", duration = "1s", sample_every = "1s" }
machine  { ram = "64M", ncpus = 1, swap = "64M" }
process  { name = "idle", run = function(p) p:compute("1ms") end }
