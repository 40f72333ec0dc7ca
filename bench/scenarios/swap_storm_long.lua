-- swap_storm_long: swap_storm's machine and load, with the hogs revisiting
-- their memory until the duration (param "d") runs out, so that a run's
-- length can be chosen: bench/vm_bench.sh compares peak RSS at d and 4 d,
-- which must not differ by more than 10 % (memory follows the machine's
-- size, not the number of events simulated).
scenario { name = "swap_storm_long", duration = param("d", "30s"),
           watchdog = "10s", sample_every = "100ms" }
machine  { ram = "256M", ncpus = 2, swap = "1G", swap_write_bw = "100M",
           swap_read_bw = "200M", swap_latency = "2ms" }
kernel   { swapmeta = { allocator = "zalloc" } }

process { name = "hog", count = 3, start = "0s", run = function(p)
  local r = p:mmap("128M")
  p:touch(r, { write = true })
  while true do
    p:touch(r, { pages = 4096, random = true, write = 0.5 })
    p:compute("20ms")
  end
end }

process { name = "reader", run = function(p)
  local f = p:mmap("64M", { file = "dataset" })
  while true do
    p:touch(f, { random = true, pages = 2048 })
    p:sleep("100ms")
  end
end }

interrupt_load { name = "rx", rate = "500/s", clusters = 2, hold = "20ms" }
