-- real_mix: three real programs' page-reference streams at once, on a
-- machine too small for them, with a file reader and network receive
-- load at interrupt level, for every SWAPMETA allocator.
--
-- The traces (scenarios/traces/README.md says how each was recorded)
-- are replayed whole: each program's mappings become this process's
-- mappings, its text and read-only data file pages shared in the page
-- cache by the instances of one trace, its heap, stack and anonymous
-- memory paged to swap.  CPU time between references comes from the
-- trace's instruction fetches at 1e9 instructions per second.
--   * "sqlite": sqlite3 inserting 2,000 rows into a table with a 64 MiB
--     page cache, building an index on it and querying it (8 MiB of
--     heap), three at once;
--   * "sort": GNU sort of 20,000 lines, two at once;
--   * "gzip": gzip -6 of 300 KB of text, two at once;
--   * "reader": random reads of a 48 MiB file through the page cache;
--   * "rx": network receive through m_getcl (the reference scenario's
--     load); "sock": clusters queued on the sqlite processes' sockets,
--     freed only when they read them, which a process asleep in a page
--     fault does not.
scenario { name = "real_mix", duration = "60s", watchdog = "5s",
           sample_every = "100ms" }
machine  { ram = "32M", ncpus = 2, swap = "512M", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }
sweep    { allocator = { "zalloc", "kmalloc_obj", "reserve_kmalloc_obj",
                         "uma_reserve", "mempool", "pool_lowat" },
           seeds = "1..5" }

local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator ~= "zalloc" and allocator ~= "kmalloc_obj" then
  swapmeta.reserve = param("N", 3)
end
kernel   { swapmeta = swapmeta }

local sqlite = trace("traces/sqlite.mtr")
local sort = trace("traces/sort.mtr")
local gzip = trace("traces/gzip.mtr")
local speed = 1e9

process { name = "sqlite", count = 3, run = function(p)
  p:replay(sqlite, { speed = speed })
end }
process { name = "sort", count = 2, run = function(p)
  p:replay(sort, { speed = speed })
end }
process { name = "gzip", count = 2, run = function(p)
  p:replay(gzip, { speed = speed })
end }
process { name = "reader", run = function(p)
  local f = p:mmap("48M", { file = "dataset" })
  for i = 1, 50 do
    p:touch(f, { random = true, pages = 1024 })
    p:sleep("100ms")
  end
end }

interrupt_load { name = "rx", rate = "2000/s", clusters = 8, hold = "40ms" }
interrupt_load { name = "sock", rate = "1500/s", clusters = 2, hold = "5ms",
                 consumer = "sqlite", sockbuf = "256K" }
