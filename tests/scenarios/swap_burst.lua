-- swap_burst: one process writes 1.5x the RAM of a 16 MiB machine in
-- order, so it goes out to swap in page-out clusters, then reads it back
-- in order, twice.  -p burst sets vm.swap_burst_read (the kernel's
-- default, 0, reads one page per fault).
scenario { name = "swap_burst", duration = "30s", watchdog = "5s" }
machine  { ram = "16M", ncpus = 1, swap = "256M",
           swap_burst_read = param("burst", 0) }

process { name = "seq", run = function(p)
  local r = p:mmap("24M")
  p:touch(r, { write = true })
  p:touch(r)
  p:touch(r)
  p:munmap(r)
end }
