-- fits_in_ram: a working set well inside RAM.  The page daemon may wake
-- (free pages fall below v_paging_start while the heap is first touched)
-- but nothing is ever written to swap: the baseline every other scenario
-- departs from.
scenario { name = "fits_in_ram", duration = "60s", watchdog = "10s",
           sample_every = "100ms" }
machine  { ram = "256M", ncpus = 2, swap = "256M" }
kernel   { swapmeta = { allocator = param("allocator", "zalloc") } }

process { name = "worker", count = 2, run = function(p)
  local r = p:mmap("48M")
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = 2048, random = true, write = 0.3 })
    p:compute("10ms")
  end
  p:munmap(r)
end }
