-- swapmeta_knobs: scenarios/swapmeta_reserve.lua with each of its
-- assumptions a parameter, to vary one at a time (docs/findings.md 3):
--   -p rx_class=interrupt  rx and sock as VM_ALLOC_INTERRUPT pages
--                          (4 and 1 per arrival) instead of mbuf clusters
--   -p warmup=5s           the receive loads start 5 s after boot
--   -p boot=cold           kernel_map empty at boot
--   -p watchdog=55s        the livelock backstop
--   -p ncpus=4             CPUs
--   -p rx_hold=400ms       how long rx holds its buffers
--   -p kzones=vfs          vnode and namecache kmalloc_obj loads
--   -p rx_rate=6000/s      rx arrivals per second
--   -p db_write=1.0        fraction of the db's random touches that write
--   -p swap_bw=10M         swap write bandwidth per second
--   -p burst=8000/s        a second receive load like rx, from
--                          burst_start (default 5s) after the warmup
--   -p rss=24M             RLIMIT_RSS of each db process: over it, its
--                          faults page its own memory out on its CPU
--   -p late=64M            a "batch" process starts 1 s after the warmup
--                          and writes that much fresh anonymous memory,
--                          so SWAPMETA needs new slabs after boot
--   -p pf_memalloc=true    Linux's rule: the page daemon's page requests
--                          ignore the free-page floors (docs/model.md)
--   -p emergency_pager=false  DragonFly's second pageout thread off
--   -p scale=4             the machine and its load x4: RAM, swap, each
--                          db's mapping and its pages per rewrite pass
--                          (the receive loads, CPUs and disk unchanged)
--   -p warmup=260ms        with scale=8: the receive loads start as the
--                          first fill of 1 GiB ends (docs/findings.md 9)
--   -p scan_cost=200ns     the page daemon's CPU per page it scans
-- The defaults are the reference scenario's.
scenario { name = "swapmeta_knobs", duration = "30s",
           watchdog = param("watchdog", "5s"), warmup = param("warmup", "0s"),
           sample_every = "100ms" }
local scale = tonumber(param("scale", "1"))
if scale == nil or scale <= 0 then error("scale: a positive number, not " .. tostring(param("scale", "1"))) end
local function mib(n) return string.format("%dM", math.floor(n * scale + 0.5)) end
machine  { ram = mib(128), ncpus = param("ncpus", 2), swap = mib(1024),
           swap_write_bw = param("swap_bw", "100M"), swap_read_bw = "200M", swap_latency = "2ms",
           scan_cost = param("scan_cost", "100ns") }
sweep    { allocator = { "zalloc", "kmalloc_obj", "reserve_kmalloc_obj" },
           N = "0..8", seeds = "1..20" }

-- N and the top-up's flags mean something only for the reserve, so only
-- its runs read them (a sweep does not multiply the others by N).
local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator == "reserve_kmalloc_obj" then
  swapmeta.reserve = param("N", 3)
  swapmeta.refill = param("refill", "intnowait")
  swapmeta.exclusive = true
end
local zones = {}
if param("kzones", "none") == "vfs" then
  zones = { { name = "M_VNODE", rate = "2000/s", hold = "2s" },
            { name = "M_VFSCACHE", rate = "4000/s", hold = "5s" } }
end
kernel   { boot = param("boot", "warm"), swapmeta = swapmeta, zones = zones,
           pf_memalloc = param("pf_memalloc", false),
           emergency_pager = param("emergency_pager", true) }

local dbw = tonumber(param("db_write", "0.7"))
local rss = param("rss", "0")
process { name = "db", count = 3, rlimit_rss = rss ~= "0" and rss or nil, run = function(p)
  local r = p:mmap(mib(70))
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = math.floor(1000 * scale + 0.5), random = true, write = dbw })
    p:compute("20ms")
  end
  p:munmap(r)
end }

local late = param("late", "0")
if late ~= "0" then
  process { name = "batch", start = param("late_start", "6s"),
            run = function(p)
    local r = p:mmap(late)
    p:touch(r, { write = true })
    for i = 1, 40 do
      p:touch(r, { pages = 1000, random = true, write = 0.7 })
      p:compute("20ms")
    end
    p:munmap(r)
  end }
end

local class = param("rx_class", "mbuf")
local rate = param("rx_rate", "2000/s")
local hold = param("rx_hold", "40ms")
if class == "mbuf" then
  interrupt_load { name = "rx", rate = rate, clusters = 8, hold = hold }
  interrupt_load { name = "sock", rate = "1500/s", clusters = 2, hold = "5ms",
                   consumer = "db", sockbuf = "256K" }
else
  interrupt_load { name = "rx", class = "interrupt", rate = rate,
                   pages = 4, hold = hold }
  interrupt_load { name = "sock", class = "interrupt", rate = "1500/s",
                   pages = 1, hold = "5ms", consumer = "db", sockbuf = "256K" }
end
local burst = param("burst", "0")
if burst ~= "0" then
  interrupt_load { name = "burst", rate = burst, clusters = 8, hold = hold,
                   start = param("burst_start", "5s") }
end
