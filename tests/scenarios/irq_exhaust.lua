-- irq_exhaust: interrupt-level allocations that are never given back
-- (a leak at VM_ALLOC_INTERRUPT) take every page the page daemon frees.
-- The process ends up wholly on swap, held in vm_wait_pfault() while
-- vm_paging_severe(), and nothing can ever free a page again: a deadlock
-- the verdict proves (the page daemon runs passes with nothing to scan,
-- the leak never gives back), with the waits table saying who waits where.
-- The emergency pager (on by default) changes nothing here: the primary
-- keeps its heartbeat fresh by running those empty passes, so it never
-- takes over, and there is no anonymous page left on the queues for it
-- to cache or launder; its once-a-second poll is no way out.
scenario { name = "irq_exhaust", duration = "60s", watchdog = "5s" }
machine  { ram = "64M", ncpus = 1, swap = "256M" }
kernel   { swapmeta = { allocator = param("allocator", "zalloc") } }
process { name = "dirtier", run = function(p)
  local r = p:mmap("40M")
  p:touch(r, { write = true })
  for i = 1, 1000 do
    p:touch(r, { pages = 1024, random = true, write = true })
    p:compute("10ms")
  end
end }
interrupt_load { name = "leak", class = "interrupt", rate = "2000/s", pages = 4,
                 hold = "forever" }
