-- swap_full: the same appetite as swap_storm with only 64 MiB of swap.
-- Page-outs start failing, swap_pager_full is set, and after 20 passes
-- without reaching v_paging_target1 the page daemon kills the largest
-- process once a second until the rest fit.
scenario { name = "swap_full", duration = "120s", watchdog = "10s",
           sample_every = "100ms" }
machine  { ram = "256M", ncpus = 2, swap = "64M" }
kernel   { swapmeta = { allocator = param("allocator", "zalloc") } }

process { name = "hog", count = 3, run = function(p)
  local r = p:mmap("128M")
  p:touch(r, { write = true })
  for i = 1, 20 do
    p:touch(r, { pages = 4096, random = true, write = 0.5 })
    p:compute("20ms")
  end
  p:munmap(r)
end }
