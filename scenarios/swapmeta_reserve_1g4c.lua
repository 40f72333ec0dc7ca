-- swapmeta_reserve_1g4c: the reference question (scenarios/
-- swapmeta_reserve.lua) on a machine shape the reference does not use:
-- 1 GiB of RAM, 4 CPUs, 8 GiB of swap.
--
-- Scaled with the machine: RAM x8; the anonymous memory keeps the
-- reference's 1.64x RAM, as 6 processes of 280 MiB (3 of 70 MiB there);
-- each rewrite pass touches 4,000 random pages (1,000 there), so the
-- share of the working set rewritten per pass stays of the same order
-- with twice the processes; swap x8.  Not scaled, and why: the two
-- receive loads (their rates and hold times are a NIC's, not a function
-- of RAM, so here they pin a smaller share of free memory), the swap
-- device (one disk of the same speed), the duration and the watchdog.
-- The free-page thresholds are the kernel's own for 1 GiB
-- (vm_pageout_free_page_calc, docs/model.md), not the reference's x8.
--
-- Two of those choices are parameters, to vary one at a time
-- (docs/findings.md 9): -p ncpus=2 (the reference's CPU count on this
-- RAM) and -p rx_rate=16000/s (the rx load scaled with RAM too).  So is
-- when the receive loads start: -p warmup=140ms starts them as the first
-- fill of RAM ends, which kmalloc_obj does not survive here either.
scenario { name = "swapmeta_reserve_1g4c", duration = "30s", watchdog = "5s",
           warmup = param("warmup", "0s"), sample_every = "100ms" }
machine  { ram = "1G", ncpus = param("ncpus", 4), swap = "8G",
           swap_write_bw = "100M", swap_read_bw = "200M",
           swap_latency = "2ms" }
sweep    { allocator = { "zalloc", "kmalloc_obj", "reserve_kmalloc_obj" },
           N = "0..8", seeds = "1..20" }

-- As in the reference: N and the options only for the policies that read
-- them, each in its own unit.
local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator == "reserve_kmalloc_obj" then
  swapmeta.reserve = param("N", 3)
  swapmeta.refill = param("refill", "intnowait")
  swapmeta.exclusive = true
elseif allocator == "uma_reserve" then
  swapmeta.reserve = param("N", 3)
  swapmeta.prealloc = param("prealloc", true)	-- uma_prealloc() at boot
elseif allocator == "mempool" then
  swapmeta.reserve = param("N", 3)
  swapmeta.retry = param("retry", "nowait")	-- the full-mask retry
elseif allocator == "pool_lowat" then
  swapmeta.reserve = param("N", 3)
end
kernel   { swapmeta = swapmeta,
           emergency_pager = param("emergency_pager", true) }

process { name = "db", count = 6, run = function(p)
  local r = p:mmap("280M")
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = 4000, random = true, write = 0.7 })
    p:compute("20ms")
  end
  p:munmap(r)
end }

interrupt_load { name = "rx", rate = param("rx_rate", "2000/s"), clusters = 8,
                 hold = "40ms" }
interrupt_load { name = "sock", rate = "1500/s", clusters = 2, hold = "5ms",
                 consumer = "db", sockbuf = "256K" }
