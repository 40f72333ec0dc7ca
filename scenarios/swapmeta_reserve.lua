-- swapmeta_reserve: can the page daemon keep creating SWAPMETA while
-- kernel consumers hold free pages below v_free_reserved?
--
-- The question of the May-2021 kernel-list post.  A 128 MiB machine runs
-- three processes ("db") whose anonymous memory is 1.6x RAM, rewritten
-- sparsely and at random, so page-outs keep landing in 32-page windows
-- that have no swblock yet: the swap pager allocates SWAPMETA on the page
-- daemon's stack from the first page-out on.  Meanwhile:
--   * "rx": network receive for traffic the kernel consumes itself, 8
--     mbuf clusters per arrival, held 40 ms each: m_getcl(M_NOWAIT),
--     whose new kmalloc zones take 32 pages at SYSTEM class, all or
--     nothing, in competition with SWAPMETA's slabs (drops are counted;
--     the load never waits);
--   * "sock": receive buffers (2 clusters per arrival) queued on the db
--     processes' sockets (256 KiB each), freed only when the process
--     reads them - which it cannot do while it sleeps in a page fault;
--   * user page-table pages and their PV entries (one per 512 pages),
--     at VM_ALLOC_INTERRUPT, which come and go as the daemon unmaps and
--     the processes fault.
-- With zalloc one free page lets the daemon make progress.  kmalloc_obj
-- needs a whole 128 KiB slab: 32 pages, each admitted only above the
-- SYSTEM floor (free > v_interrupt_free_min with an empty cache), plus
-- map entries and address space.  reserve_kmalloc_obj keeps N spare
-- slabs, topped up without blocking.
--
-- What it shows (docs/findings.md 1-3): kmalloc_obj's deadlock here is the
-- first page-out after boot, when the receive loads' first mbuf zones,
-- the page daemon's first SWAPMETA slab and the user faults all meet an
-- empty cache queue.  `-p warmup=5s` starts the receive loads after the
-- system has paged for 5 s: then kmalloc_obj does not deadlock (0 of 20
-- seeds, tests/t_reference_warm.sh).  After boot, SYSTEM-class mbuf
-- zones under sustained receive load, SWAPMETA slabs taken after boot,
-- RLIMIT_RSS processes and the emergency pager as SWAPMETA callers on
-- other CPUs, and 4 CPUs did not deadlock in 20 seeds each; a receive
-- burst that starts while SWAPMETA grows did, in 1 seed of 20
-- (scenarios/swapmeta_knobs.lua -p warmup=5s -p late=400M -p burst=8000/s).
-- The scenario stays the boot-time case, said as such.
scenario { name = "swapmeta_reserve", duration = "30s", watchdog = "5s",
           warmup = param("warmup", "0s"), sample_every = "100ms" }
machine  { ram = "128M", ncpus = 2, swap = "1G", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }
sweep    { allocator = { "zalloc", "kmalloc_obj", "reserve_kmalloc_obj" },
           N = "0..8", seeds = "1..20" }

-- N means something only for a policy that keeps a reserve (in its own
-- unit), and the top-up's flags only for reserve_kmalloc_obj, so only
-- their runs read them (a sweep does not multiply the others by N).
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
-- DragonFly starts its emergency pager always; -p emergency_pager=false
-- (memsim compare --emergency-pager) asks what the policy does without.
kernel   { swapmeta = swapmeta,
           emergency_pager = param("emergency_pager", true) }

process { name = "db", count = 3, run = function(p)
  local r = p:mmap("70M")
  p:touch(r, { write = true })
  for i = 1, 40 do
    p:touch(r, { pages = 1000, random = true, write = 0.7 })
    p:compute("20ms")
  end
  p:munmap(r)
end }

interrupt_load { name = "rx", rate = "2000/s", clusters = 8, hold = "40ms" }
interrupt_load { name = "sock", rate = "1500/s", clusters = 2, hold = "5ms",
                 consumer = "db", sockbuf = "256K" }
