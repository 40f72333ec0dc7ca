-- swap_storm_16g: swap_storm's shape on a 16 GiB machine: anonymous
-- memory 1.5x RAM, first-touched, then revisited at random.
scenario { name = "swap_storm_16g", duration = "60s", watchdog = "10s" }
machine  { ram = "16G", ncpus = 2, swap = "32G", swap_write_bw = "500M",
           swap_read_bw = "1G", swap_latency = "100us" }
kernel   { swapmeta = { allocator = "zalloc" } }
process { name = "hog", count = 3, run = function(p)
  local r = p:mmap("8G")
  p:touch(r, { write = true })
  for i = 1, 20 do
    p:touch(r, { pages = 65536, random = true, write = 0.5 })
    p:compute("20ms")
  end
  p:munmap(r)
end }
