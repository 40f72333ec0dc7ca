-- needs_n: a scenario whose answer to `memsim find-n` is known: 3.
-- Below N = 3, or with any allocator but reserve_kmalloc_obj, an
-- interrupt-level leak takes every page the page daemon frees and the
-- process ends in a livelock (as in irq_exhaust); from N = 3 on there is
-- no leak and it completes.  The allocator parameter is only a label
-- here, so the test depends on no allocator's behaviour.
scenario { name = "needs_n", duration = "20s", watchdog = "0.5s" }
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

if n < 3 then
  interrupt_load { name = "leak", class = "interrupt", rate = "500/s", pages = 32,
                   hold = "forever" }
end
