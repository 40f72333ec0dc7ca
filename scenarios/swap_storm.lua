-- swap_storm: anonymous memory 1.5x RAM, touched at random and half of
-- it rewritten, with a file reader and receive-buffer interrupts on the
-- side.  The page daemon must page out continuously; with zalloc behind
-- SWAPMETA every process completes.
scenario { name = "swap_storm", duration = "300s", watchdog = "10s",
           sample_every = "100ms" }
machine  { ram = "256M", ncpus = 2, swap = "1G", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }
local allocator = param("allocator", "zalloc")
local swapmeta = { allocator = allocator }
if allocator ~= "zalloc" and allocator ~= "kmalloc_obj" then
  swapmeta.reserve = param("N", 3)	-- in the policy's own unit
end
kernel   { swapmeta = swapmeta }

process { name = "hog", count = 3, start = "0s", run = function(p)
  local r = p:mmap("128M")
  p:touch(r, { write = true })                  -- first touch of every page
  for i = 1, 50 do
    p:touch(r, { pages = 4096, random = true, write = 0.5 })
    p:compute("20ms")
  end
  p:munmap(r)
end }

process { name = "reader", run = function(p)
  local f = p:mmap("64M", { file = "dataset" })  -- read-only, page cache
  for i = 1, 20 do
    p:touch(f, { random = true, pages = 2048 })
    p:sleep("100ms")
  end
end }

interrupt_load { name = "rx", rate = "500/s", clusters = 2, hold = "20ms" }
