-- swapmeta_reserve: can the page daemon keep creating SWAPMETA while
-- interrupt-level consumers hold free pages below v_free_reserved?
--
-- The question of the May-2021 kernel-list post.  A 128 MiB machine runs
-- three processes whose anonymous memory is 1.6x RAM, rewritten sparsely
-- and at random, so page-outs keep landing in 32-page windows that have
-- no swblock yet: the swap pager must allocate SWAPMETA on the page
-- daemon's stack all the time, not only at the start.  Meanwhile:
--   * receive buffers (interrupt_load "rx") arrive in bursts and are held
--     for a while at VM_ALLOC_INTERRUPT, pulling free pages below
--     v_free_reserved and often below v_interrupt_free_min;
--   * user page-table pages and their PV entries (one per 512 pages, also
--     interrupt class) come and go as the daemon unmaps and the processes
--     fault back in.
-- With zalloc one free page lets the daemon make progress.  kmalloc_obj
-- needs a whole 128 KiB slab (32 pages, each admitted only above the
-- SYSTEM floor with an empty cache) plus map entries; reserve_kmalloc_obj
-- keeps N spare slabs, topped up without blocking.
scenario { name = "swapmeta_reserve", duration = "30s", watchdog = "5s",
           sample_every = "100ms" }
machine  { ram = "128M", ncpus = 2, swap = "1G", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }
kernel   { swapmeta = { allocator = param("allocator", "zalloc"),
                        reserve = param("N", 3),
                        refill = param("refill", "intnowait"),
                        exclusive = true } }

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
