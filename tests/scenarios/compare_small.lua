-- compare_small: a 16 MiB machine on which two processes rewrite more
-- anonymous memory than it has, so the page daemon pages out from the
-- start and needs SWAPMETA for every new 32-page window; no interrupt
-- load.  Every SWAPMETA policy reads its reserve from -p N, so
-- `memsim compare` can size each one; -p pf_memalloc=true gives the
-- page daemon Linux's PF_MEMALLOC, -p emergency_pager=false takes
-- DragonFly's emergency pager away.  Short enough for a test.
scenario { name = "compare_small", duration = "3s", watchdog = "2s",
           sample_every = "100ms" }
machine  { ram = "16M", ncpus = 1, swap = "256M" }

local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator == "reserve_kmalloc_obj" or allocator == "uma_reserve" or
   allocator == "mempool" or allocator == "pool_lowat" then
  swapmeta.reserve = param("N", 0)
end
kernel   { swapmeta = swapmeta, pf_memalloc = param("pf_memalloc", false),
           emergency_pager = param("emergency_pager", true) }

process { name = "db", count = 2, run = function(p)
  local r = p:mmap("8960K")
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = 1000, random = true, write = 0.7 })
    p:compute("20ms")
  end
  p:munmap(r)
end }
