-- panic_n: the reference workload (scenarios/swapmeta_reserve.lua) cut
-- to its first half second, for the find-n tests: the reserve's top-up
-- panics the kernel early at some N (pmap_growkernel with no free page,
-- docs/findings.md), and half a second is enough to see it.  The test
-- reads which N fail from a sweep rather than assuming them.
scenario { name = "panic_n", duration = "0.5s", watchdog = "5s",
           sample_every = "100ms" }
machine  { ram = "128M", ncpus = 2, swap = "1G", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }

local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator == "reserve_kmalloc_obj" then
  swapmeta.reserve = param("N", 3)
  swapmeta.refill = param("refill", "intnowait")
  swapmeta.exclusive = true
end
kernel   { swapmeta = swapmeta }

process { name = "db", count = 3, run = function(p)
  local r = p:mmap("70M")
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = 1000, random = true, write = 0.7 })
    p:compute("20ms")
  end
  p:munmap(r)
end }

interrupt_load { name = "rx", rate = "2000/s", pages = 4, hold = "40ms" }
interrupt_load { name = "sock", rate = "1500/s", pages = 1, hold = "5ms",
                 consumer = "db", sockbuf = "256K" }
