-- rx_pressure: a network receive load under memory pressure.  One
-- process rewrites anonymous memory larger than RAM while packets arrive
-- at a rate that keeps about 1000 mbuf clusters in flight.  With the
-- default class the driver's m_getcl(M_NOWAIT) goes through objcache to
-- kmalloc, whose new zones need 32 pages at SYSTEM class at once, so
-- packets are dropped when free pages are short and the load never
-- waits; with -p class=interrupt the same arrivals take single pages at
-- VM_ALLOC_INTERRUPT instead.  -p boot=cold starts kernel_map empty,
-- -p warmup=2s starts the receive load 2 s after boot.
scenario { name = "rx_pressure", duration = "4s", watchdog = "2s",
           warmup = param("warmup", "0s") }
machine  { ram = "32M", ncpus = 2, swap = "128M" }
kernel   { boot = param("boot", "warm"),
           swapmeta = { allocator = param("allocator", "zalloc") } }
process { name = "dirtier", run = function(p)
  local r = p:mmap("40M")
  p:touch(r, { write = true })
  for i = 1, 100 do
    p:touch(r, { pages = 512, random = true, write = true })
    p:compute("10ms")
  end
end }
local class = param("class", "mbuf")
if class == "mbuf" then
  interrupt_load { name = "rx", rate = "5000/s", clusters = 4, hold = "50ms" }
else
  interrupt_load { name = "rx", class = "interrupt", rate = "5000/s",
                   pages = 2, hold = "50ms" }
end
