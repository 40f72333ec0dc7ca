-- needs_n_rare: like needs_n, but at N = 3 the interrupt-level leak
-- comes back for one seed in four (a draw of the seeded math.random at
-- load time), so a few seeds call N = 3 enough and a hunt that tries
-- more seeds finds that it is not; from N = 4 on there is no leak.
-- The allocator parameter is only a label, as in needs_n.
scenario { name = "needs_n_rare", duration = "20s", watchdog = "0.5s" }
machine  { ram = "32M", ncpus = 1, swap = "128M" }

local n = -1
if param("allocator", "zalloc") == "reserve_kmalloc_obj" then
  n = param("N", 0)
end
local rare = math.random(1, 4) == 1

process { name = "dirtier", run = function(p)
  local r = p:mmap("16M")
  p:touch(r, { write = true })
  for i = 1, 100 do
    p:touch(r, { pages = 512, random = true, write = true })
    p:compute("10ms")
  end
end }

if n < 3 or (n == 3 and rare) then
  interrupt_load { name = "leak", rate = "500/s", pages = 32, hold = "forever",
                   class = "interrupt" }
end
