-- gap_n: needs_n with a gap: the interrupt-level leak that deadlocks
-- the run is there below N = 3 and again at N = 5, so the deadlock rate
-- is not monotone in N and bisection alone would answer N = 3.
scenario { name = "gap_n", duration = "20s", watchdog = "0.5s" }
machine  { ram = "32M", ncpus = 1, swap = "128M" }

local n = -1
if param("allocator", "zalloc") == "reserve_kmalloc_obj" then
  n = param("N", 0)
end

process { name = "dirtier", run = function(p)
  local r = p:mmap("16M")
  p:touch(r, { write = true })
  for i = 1, 100 do
    p:touch(r, { pages = 512, random = true, write = true })
    p:compute("10ms")
  end
end }

if n < 3 or n == 5 then
  interrupt_load { name = "leak", class = "interrupt", rate = "500/s", pages = 32,
                   hold = "forever" }
end
