-- hunt_small: the small model bounded exhaustive search runs on.
-- 16 MiB, two processes rewriting anonymous memory larger than RAM
-- together, one interrupt load holding pages briefly; SWAPMETA on the
-- allocator of -p allocator (zalloc by default).  Short, so that every
-- branch of a few choice points runs in seconds.
scenario { name = "hunt_small", duration = "1500ms", watchdog = "1s" }
machine  { ram = "16M", ncpus = 1, swap = "64M" }
kernel   { swapmeta = { allocator = param("allocator", "zalloc") } }
process { name = "w", count = 2, run = function(p)
  local r = p:mmap("9M")
  p:touch(r, { write = true })
  for i = 1, 20 do
    p:touch(r, { pages = 256, random = true, write = 0.5 })
    p:compute("5ms")
  end
end }
interrupt_load { name = "rx", rate = "500/s", clusters = 4, hold = "20ms" }
